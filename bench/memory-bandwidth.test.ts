import { describe, expect, it } from 'vitest';
import { bandwidthModule, measureMemoryBandwidth } from './memory-bandwidth.js';

describe('memory bandwidth probe', () => {
  it('its hand-assembled module reads every float of the range once', () => {
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
    const a = new Float32Array(memory.buffer);
    a.forEach((_, i) => (a[i] = (i * 7) % 13));
    const { sum } = new WebAssembly.Instance(new WebAssembly.Module(bandwidthModule(1)), { e: { m: memory } }).exports as {
      sum: (p: number, n: number) => number;
    };
    // Lane 0 of the summed accumulators: every fourth float from the start of the range.
    const lane0 = (from: number, to: number) => a.slice(from, to).reduce((s, v, i) => (i % 4 === 0 ? s + v : s), 0);
    expect(sum(0, 65536)).toBe(lane0(0, 16384));
    expect(sum(1024, 256)).toBe(lane0(256, 320));
    expect(sum(512, 0)).toBe(0);
  });

  it('measures with several workers, each on its own slice', async () => {
    const m = await measureMemoryBandwidth(2, { bufferMiB: 4, passes: 2 });
    expect(m.threads).toBe(2);
    expect(m.gbps).toBeGreaterThan(0);
    expect(Number.isFinite(m.gbps)).toBe(true);
  });
});
