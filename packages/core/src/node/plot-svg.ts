/**
 * A small SVG line chart: one x axis, a left and an optional right y axis, "nice" ticks
 * (1-2-5 steps, as d3-scale's `ticks`), axis labels, a legend and a title. Enough to look at
 * training curves (`curves.svg`) in a browser without a plotting library.
 */

export interface PlotSeries {
  readonly label: string;
  readonly points: readonly (readonly [number, number])[];
  /** @default "left" */
  readonly axis?: 'left' | 'right';
  /** @default from a palette */
  readonly color?: string;
  /** Draw a dot at each point (sparse series such as validation). @default false */
  readonly markers?: boolean;
}

export interface PlotOptions {
  readonly title: string;
  readonly xLabel: string;
  readonly yLeftLabel: string;
  readonly yRightLabel?: string;
  readonly series: readonly PlotSeries[];
  /** @default 720 */
  readonly width?: number;
  /** @default 420 */
  readonly height?: number;
}

const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd'];

/** Evenly spaced round tick values covering [lo, hi] (about `count` of them). */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) {
    const d = Math.abs(lo) > 0 ? Math.abs(lo) * 0.1 : 1;
    return niceTicks(lo - d, hi + d, count);
  }
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw)!;
  const out: number[] = [];
  for (let v = Math.floor(lo / step) * step; v <= hi + step * 1e-9; v += step)
    out.push(Number(v.toPrecision(12)));
  if (out[out.length - 1]! < hi) out.push(Number((out[out.length - 1]! + step).toPrecision(12)));
  return out;
}

function esc(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

function fmt(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e4 || a < 1e-3) return v.toExponential(1);
  return String(Number(v.toPrecision(4)));
}

export function lineChartSvg(o: PlotOptions): string {
  const W = o.width ?? 720;
  const H = o.height ?? 420;
  const hasRight = o.series.some((s) => s.axis === 'right' && s.points.length > 0);
  const m = { top: 40, right: hasRight ? 70 : 20, bottom: 50, left: 70 };
  const pw = W - m.left - m.right;
  const ph = H - m.top - m.bottom;
  const finite = (s: PlotSeries) =>
    s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
  const xs = o.series.flatMap((s) => finite(s).map((p) => p[0]));
  const range = (axis: 'left' | 'right') => {
    const ys = o.series
      .filter((s) => (s.axis ?? 'left') === axis)
      .flatMap((s) => finite(s).map((p) => p[1]));
    return ys.length ? niceTicks(Math.min(...ys), Math.max(...ys)) : [0, 1];
  };
  const xt = xs.length ? niceTicks(Math.min(...xs), Math.max(...xs), 6) : [0, 1];
  const yl = range('left');
  const yr = range('right');
  const sx = (x: number) => m.left + ((x - xt[0]!) / (xt[xt.length - 1]! - xt[0]!)) * pw;
  const sy = (t: number[], y: number) =>
    m.top + ph - ((y - t[0]!) / (t[t.length - 1]! - t[0]!)) * ph;
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="Helvetica, Arial, sans-serif" font-size="12">`,
  );
  parts.push(`<rect width="${W}" height="${H}" fill="white"/>`);
  parts.push(
    `<text x="${W / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold">${esc(o.title)}</text>`,
  );
  // Grid and x ticks.
  for (const x of xt) {
    const px = sx(x).toFixed(1);
    parts.push(`<line x1="${px}" y1="${m.top}" x2="${px}" y2="${m.top + ph}" stroke="#e5e5e5"/>`);
    parts.push(`<text x="${px}" y="${m.top + ph + 16}" text-anchor="middle">${fmt(x)}</text>`);
  }
  for (const y of yl) {
    const py = sy(yl, y).toFixed(1);
    parts.push(`<line x1="${m.left}" y1="${py}" x2="${m.left + pw}" y2="${py}" stroke="#e5e5e5"/>`);
    parts.push(
      `<text x="${m.left - 6}" y="${py}" text-anchor="end" dominant-baseline="middle">${fmt(y)}</text>`,
    );
  }
  if (hasRight) {
    for (const y of yr)
      parts.push(
        `<text x="${m.left + pw + 6}" y="${sy(yr, y).toFixed(1)}" dominant-baseline="middle">${fmt(y)}</text>`,
      );
  }
  parts.push(
    `<rect x="${m.left}" y="${m.top}" width="${pw}" height="${ph}" fill="none" stroke="#333"/>`,
  );
  parts.push(
    `<text x="${m.left + pw / 2}" y="${H - 12}" text-anchor="middle">${esc(o.xLabel)}</text>`,
  );
  parts.push(
    `<text transform="translate(18 ${m.top + ph / 2}) rotate(-90)" text-anchor="middle">${esc(o.yLeftLabel)}</text>`,
  );
  if (hasRight && o.yRightLabel)
    parts.push(
      `<text transform="translate(${W - 14} ${m.top + ph / 2}) rotate(90)" text-anchor="middle">${esc(o.yRightLabel)}</text>`,
    );
  // Series.
  o.series.forEach((s, i) => {
    const color = s.color ?? PALETTE[i % PALETTE.length]!;
    const t = (s.axis ?? 'left') === 'right' ? yr : yl;
    const pts = finite(s).map(([x, y]) => `${sx(x).toFixed(1)},${sy(t, y).toFixed(1)}`);
    if (pts.length > 1)
      parts.push(
        `<polyline fill="none" stroke="${color}" stroke-width="1.6" points="${pts.join(' ')}"/>`,
      );
    if (s.markers || pts.length === 1)
      for (const p of pts)
        parts.push(
          `<circle cx="${p.split(',')[0]}" cy="${p.split(',')[1]}" r="3" fill="${color}"/>`,
        );
  });
  // Legend.
  o.series.forEach((s, i) => {
    const color = s.color ?? PALETTE[i % PALETTE.length]!;
    const y = m.top + 14 + i * 18;
    const x = m.left + pw - 190;
    parts.push(
      `<line x1="${x}" y1="${y}" x2="${x + 22}" y2="${y}" stroke="${color}" stroke-width="2.5"/>`,
    );
    parts.push(
      `<text x="${x + 28}" y="${y}" dominant-baseline="middle">${esc(s.label)}${s.axis === 'right' ? ' (right axis)' : ''}</text>`,
    );
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
