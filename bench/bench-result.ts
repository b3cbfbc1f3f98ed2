/** One measured number. Every benchmark returns a list of these. */
export interface BenchResult {
  /** What was measured, e.g. "matmul 1024x1024x1024". */
  name: string;
  /** Backend/device, or a component name for backend-free benchmarks. */
  target?: string;
  value: number;
  unit: string;
  extra?: Record<string, unknown>;
}

/** Median seconds of `reps` runs of an async function after `warmup` runs. */
export async function timeIt(fn: () => Promise<void>, options: { warmup?: number; reps?: number; minSeconds?: number } = {}): Promise<{ median: number; runs: number[] }> {
  const warmup = options.warmup ?? 1;
  const reps = options.reps ?? 5;
  for (let i = 0; i < warmup; i++) await fn();
  const runs: number[] = [];
  const start = performance.now();
  while (runs.length < reps || (options.minSeconds && (performance.now() - start) / 1000 < options.minSeconds && runs.length < 50)) {
    const t0 = performance.now();
    await fn();
    runs.push((performance.now() - t0) / 1000);
  }
  const sorted = [...runs].sort((a, b) => a - b);
  return { median: sorted[Math.floor(sorted.length / 2)]!, runs };
}

export function formatTable(results: readonly BenchResult[]): string {
  const rows = results.map((r) => [r.target ?? '', r.name, formatNumber(r.value), r.unit]);
  const header = ['target', 'benchmark', 'value', 'unit'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 2 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

function formatNumber(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  if (a >= 100) return x.toFixed(1);
  if (a >= 1) return x.toFixed(2);
  return x.toPrecision(3);
}

/** Runs `fn` while sampling the process's resident memory; returns its result and the peak (MiB). */
export async function withPeakMemory<T>(fn: () => Promise<T>): Promise<{ result: T; peakMiB: number }> {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 25);
  try {
    const result = await fn();
    peak = Math.max(peak, process.memoryUsage().rss);
    return { result, peakMiB: peak / 2 ** 20 };
  } finally {
    clearInterval(timer);
  }
}
