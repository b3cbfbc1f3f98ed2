/**
 * A progress reporter for long work, on stderr: on a TTY a bar redrawn in place
 * (`extract [########------] 120/300 40% 12.5/s ETA 0:14`), elsewhere (logs, CI, Slurm output
 * files) a plain line every `interval` ms and at the end; `quiet` prints nothing. Rate and ETA
 * come from the items done since start.
 */

export interface ProgressOptions {
  readonly total: number;
  readonly label: string;
  /** Print nothing. @default false */
  readonly quiet?: boolean;
  /** @default process.stderr */
  readonly stream?: NodeJS.WritableStream & { readonly isTTY?: boolean; readonly columns?: number };
  /** Minimum ms between plain lines (non-TTY). @default 10_000 */
  readonly interval?: number;
  /** The clock, in ms. @default Date.now */
  readonly now?: () => number;
}

export interface Progress {
  tick(n?: number): void;
  /** Prints the final state (and ends the TTY line). */
  done(): void;
}

/** Seconds as m:ss or h:mm:ss. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const pad = (x: number) => String(x).padStart(2, '0');
  return h > 0 ? `${h}:${pad(m)}:${pad(s % 60)}` : `${m}:${pad(s % 60)}`;
}

export function createProgress(options: ProgressOptions): Progress {
  const { total, label, quiet = false } = options;
  const stream = options.stream ?? process.stderr;
  const now = options.now ?? Date.now;
  const tty = stream.isTTY === true;
  const interval = options.interval ?? 10_000;
  const start = now();
  let count = 0;
  // Plain lines start one interval in (a short job prints only its final line).
  let last = tty ? -Infinity : start;
  let finished = false;

  const status = (): string => {
    const elapsed = (now() - start) / 1000;
    const rate = elapsed > 0 ? count / elapsed : 0;
    const pct = total > 0 ? Math.floor((100 * count) / total) : 100;
    const eta = rate > 0 ? formatDuration((total - count) / rate) : '?';
    return `${count}/${total} ${pct}% ${rate.toFixed(1)}/s ETA ${eta}`;
  };
  const bar = (): string => {
    const width = Math.max(10, Math.min(30, (stream.columns ?? 80) - label.length - 45));
    const filled = total > 0 ? Math.round((width * Math.min(count, total)) / total) : width;
    return `${label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${status()}`;
  };
  const render = (force: boolean) => {
    if (quiet || finished) return;
    const t = now();
    if (tty) {
      if (!force && t - last < 100) return;
      stream.write(`\r${bar()}\x1b[K`);
    } else {
      if (!force && t - last < interval) return;
      stream.write(`${label}: ${status()}\n`);
    }
    last = t;
  };

  return {
    tick(n = 1) {
      count += n;
      render(false);
    },
    done() {
      if (quiet || finished) return;
      const t = now();
      const elapsed = formatDuration((t - start) / 1000);
      if (tty) stream.write(`\r${bar()}\x1b[K\n`);
      else stream.write(`${label}: ${count}/${total} done in ${elapsed}\n`);
      finished = true;
    },
  };
}
