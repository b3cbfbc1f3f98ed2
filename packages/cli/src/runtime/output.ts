/** What model commands print: JSON on one line (`--json`), or compact human-readable text. */

/** Writes `value` as one line of JSON on stdout. */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

export function printText(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

/** A number with `digits` decimals, sign-aligned. */
export function fixed(x: number, digits = 4): string {
  if (!Number.isFinite(x)) return String(x);
  const s = x.toFixed(digits);
  return x < 0 || Object.is(x, -0) ? s : ` ${s}`;
}

/** The first `n` values of a vector: `[ 0.1234, -0.5678, … ]`. */
export function vectorPreview(v: ArrayLike<number>, n = 4): string {
  const head = Array.from({ length: Math.min(n, v.length) }, (_, i) => fixed(v[i]!));
  return `[${head.join(', ')}${v.length > n ? ', …' : ''}]`;
}

/** A right-aligned table: `header` then `rows`, columns two spaces apart. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

/** Float32Array → plain numbers for JSON. */
export function toNumbers(v: ArrayLike<number>): number[] {
  return Array.from(v);
}
