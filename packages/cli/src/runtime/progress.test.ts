import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createProgress, formatDuration } from './progress.js';

function sink(isTTY: boolean) {
  const chunks: string[] = [];
  const stream = Object.assign(
    new Writable({
      write(chunk: Buffer, _enc, cb) {
        chunks.push(chunk.toString('utf8'));
        cb();
      },
    }),
    { isTTY, columns: 100 },
  );
  return { stream, text: () => chunks.join(''), chunks };
}

describe('createProgress', () => {
  it('redraws a bar with rate and ETA on a TTY', () => {
    const s = sink(true);
    let t = 0;
    const p = createProgress({ total: 10, label: 'extract', stream: s.stream, now: () => t });
    t = 1000;
    p.tick(2);
    t = 1050; // throttled: under 100 ms since the last redraw
    p.tick();
    t = 2000;
    p.tick(1);
    p.done();
    expect(s.chunks.length).toBe(3);
    expect(s.chunks[0]).toBe(
      `\rextract [######------------------------] 2/10 20% 2.0/s ETA 0:04\x1b[K`,
    );
    expect(s.chunks[1]).toContain('4/10 40% 2.0/s ETA 0:03');
    expect(s.chunks[2]!.endsWith('\x1b[K\n')).toBe(true);
  });

  it('prints plain periodic lines when not a TTY, and a final line', () => {
    const s = sink(false);
    let t = 0;
    const p = createProgress({
      total: 4,
      label: 'extract',
      stream: s.stream,
      now: () => t,
      interval: 5000,
    });
    t = 1000;
    p.tick(); // within the first interval: no line
    t = 3000;
    p.tick();
    t = 7000;
    p.tick();
    p.done();
    expect(s.text()).toBe('extract: 3/4 75% 0.4/s ETA 0:02\nextract: 3/4 done in 0:07\n');
  });

  it('is silent when quiet', () => {
    const s = sink(true);
    const p = createProgress({ total: 2, label: 'x', quiet: true, stream: s.stream });
    p.tick(2);
    p.done();
    expect(s.text()).toBe('');
  });

  it('formats durations', () => {
    expect(formatDuration(5)).toBe('0:05');
    expect(formatDuration(3725)).toBe('1:02:05');
    expect(formatDuration(Infinity)).toBe('?');
  });
});
