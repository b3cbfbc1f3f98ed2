/**
 * The machine's memory read bandwidth, the hardware limit of a memory-bound step (a one-row
 * GPT-2 decoding step reads all 494 MB of its float32 weights per token, far more than any cache).
 *
 * Each of `threads` workers sums its own slice of one shared buffer, much larger than the caches,
 * with WebAssembly SIMD (eight 16-byte loads per iteration into independent accumulators: enough
 * loads in flight to keep DRAM busy); the result is bytes read over the wall time of the slowest
 * worker's pass, best of `passes`. It is a lower bound of the hardware's bandwidth: on the
 * developers' 2-core machine it read 21–23 GB/s where a C loop of 64-byte AVX-512 loads read
 * 22–26. The module is a dozen instructions, assembled here byte by byte, so the bench needs no
 * compiler or extra package.
 */
import os from 'node:os';
import { Worker } from 'node:worker_threads';

/** Unsigned LEB128. */
function leb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

const name = (s: string): number[] => [...leb(s.length), ...Buffer.from(s, 'utf8')];
const section = (id: number, body: number[]): number[] => [id, ...leb(body.length), ...body];

const I32 = 0x7f;
const F32 = 0x7d;
const V128 = 0x7b;
const LOCAL_GET = 0x20;
const LOCAL_SET = 0x21;
const F32X4_ADD = [0xfd, 0xe4, 0x01];

/**
 * `sum(p, n) -> f32`: reads bytes [p, p + n) (n a multiple of 128) of the imported shared memory
 * "e"."m" of `pages` 64 KiB pages, 32 floats per iteration; returns a lane of the sum so the
 * loads cannot be dropped.
 */
export function bandwidthModule(pages: number): Uint8Array<ArrayBuffer> {
  const accumulators = [3, 4, 5, 6, 7, 8, 9, 10]; // locals after p (0), n (1), end (2)
  const body = [
    ...[2, 1, I32, 8, V128], // locals: end i32; eight v128 accumulators (zero)
    ...[LOCAL_GET, 0, LOCAL_GET, 1, 0x6a, LOCAL_SET, 2], // end = p + n
    ...[0x02, 0x40, 0x03, 0x40], // block, loop
    ...[LOCAL_GET, 0, LOCAL_GET, 2, 0x4f, 0x0d, 1], // p >= end: leave the block
    ...accumulators.flatMap((acc, k) => [LOCAL_GET, acc, LOCAL_GET, 0, 0xfd, 0x00, 4, ...leb(16 * k), ...F32X4_ADD, LOCAL_SET, acc]),
    ...[LOCAL_GET, 0, 0x41, 0x80, 0x01, 0x6a, LOCAL_SET, 0], // p += 128 (i32.const 128 is signed LEB 0x80 0x01)
    ...[0x0c, 0, 0x0b, 0x0b], // br loop; end loop; end block
    ...[LOCAL_GET, 3, ...[4, 5, 6, 7, 8, 9, 10].flatMap((a) => [LOCAL_GET, a, ...F32X4_ADD])],
    ...[0xfd, 0x1f, 0], // f32x4.extract_lane 0
    0x0b,
  ];
  return new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, [1, 0x60, 2, I32, I32, 1, F32]),
    ...section(2, [1, ...name('e'), ...name('m'), 0x02, 0x03, ...leb(pages), ...leb(pages)]), // shared memory
    ...section(3, [1, 0]),
    ...section(7, [1, ...name('sum'), 0x00, 0]),
    ...section(10, [1, ...leb(body.length), ...body]),
  ]);
}

/** Worker: instantiate the module on the shared memory, then sum its slice on every message. */
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { bytes, memory, offset, length } = workerData;
const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), { e: { m: memory } });
parentPort.on('message', () => parentPort.postMessage(instance.exports.sum(offset, length)));
parentPort.postMessage(0);
`;

export interface BandwidthMeasurement {
  /** Best of the passes, 10⁹ bytes a second. */
  gbps: number;
  threads: number;
  bufferMiB: number;
}

/** Reads a `bufferMiB` buffer `passes` times with `threads` workers; see the module comment. */
export async function measureMemoryBandwidth(threads: number, options: { bufferMiB?: number; passes?: number } = {}): Promise<BandwidthMeasurement> {
  const bufferMiB = options.bufferMiB ?? 512;
  const passes = options.passes ?? 10;
  const pages = bufferMiB * 16;
  const memory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
  new Float32Array(memory.buffer).fill(1); // touch every page before timing
  const slice = Math.floor(memory.buffer.byteLength / threads / 128) * 128;
  const bytes = bandwidthModule(pages);
  const workers = Array.from({ length: threads }, (_, i) => new Worker(WORKER, { eval: true, workerData: { bytes, memory, offset: i * slice, length: slice } }));
  // The next message of `w`, or its error; whichever comes first removes the other listener.
  const next = (w: Worker) =>
    new Promise<number>((resolve, reject) => {
      const onMessage = (sum: number) => (w.off('error', onError), resolve(sum));
      const onError = (e: Error) => (w.off('message', onMessage), reject(e));
      w.once('message', onMessage).once('error', onError);
    });
  try {
    await Promise.all(workers.map(next)); // instantiated
    let best = Infinity;
    for (let pass = 0; pass < passes; pass++) {
      const t0 = performance.now();
      const done = workers.map(next);
      workers.forEach((w) => w.postMessage(0));
      const sums = await Promise.all(done);
      best = Math.min(best, (performance.now() - t0) / 1000);
      if (sums.some((s) => s !== slice / 16)) throw new Error(`memory bandwidth probe: wrong sums ${sums.join(', ')} (expected ${slice / 16})`);
    }
    return { gbps: (slice * threads) / best / 1e9, threads, bufferMiB };
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

let measured: Promise<BandwidthMeasurement> | null = null;

/** This machine's bandwidth with one worker per core, measured once per process. */
export function machineBandwidth(): Promise<BandwidthMeasurement> {
  measured ??= measureMemoryBandwidth(os.availableParallelism());
  return measured;
}

/** Seconds to read `bytes` at `gbps`: the floor under a step that must read them from memory. */
export function bandwidthFloorSeconds(bytes: number, gbps: number): number {
  return bytes / (gbps * 1e9);
}
