/**
 * What ONNX Runtime executes per GPT-2 124M greedy decoding step on the onnx backend: the
 * one-token step session's kernels per run, by op type, from ORT's own profiler (every session
 * created with `enableProfiling`, through a wrapped `InferenceSession.create`), and the nodes
 * the backend emitted into that graph (before ORT's optimiser). Node counts are the objective
 * measure of graph-level work; timings on a shared machine are noisy.
 *
 *   npx tsx bench/onnx-step-profile.ts [--tokens 20] [--fuse true|false] [--top 40]
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadOrt, OnnxBackend, type Ort } from '@captune/backend-onnx';
import { createSearchRegistry, DecodeOptionsSchema, DecodeSession, Engine, loadLanguageDecoder, Rng } from '@captune/core';
import { GPT2_124M_CONFIG, gpt2Specs, RandomCheckpoint } from './random-checkpoint.js';

interface ProfileEvent {
  readonly cat: string;
  readonly name: string;
  readonly dur: number;
  readonly args?: { readonly op_name?: string };
}

const { values } = parseArgs({
  options: {
    tokens: { type: 'string', default: '20' },
    fuse: { type: 'string', default: 'true' },
    top: { type: 'string', default: '40' },
  },
});

const loaded = await loadOrt();
if (!loaded.ok) throw new Error(loaded.reason);
const ort = loaded.ort;
const dir = mkdtempSync(join(tmpdir(), 'captune-ort-profile-'));
type Session = Awaited<ReturnType<Ort['InferenceSession']['create']>>;
const sessions: Session[] = [];
let created = 0;
// ORT with every session profiled; everything else is the real module.
const create = ((model: Uint8Array, options: Record<string, unknown>) =>
  ort.InferenceSession.create(model, { ...options, enableProfiling: true, profileFilePrefix: join(dir, `s${created++}`) }).then((s) => {
    sessions.push(s);
    return s;
  })) as unknown as Ort['InferenceSession']['create'];
const profiled = { ...ort, InferenceSession: { ...ort.InferenceSession, create } } as unknown as Ort;

const backend = new OnnxBackend({ ort: profiled, device: 'cpu', fuse: values.fuse !== 'false' });
const e = new Engine(backend);
const lm = await loadLanguageDecoder(e, { config: GPT2_124M_CONFIG, weights: new RandomCheckpoint(gpt2Specs(), 2), checkpoint: 'random GPT-2 124M' });
const rng = new Rng(4);
const prompt = Array.from({ length: 10 }, () => rng.int(GPT2_124M_CONFIG.vocab_size - 1));
const newTokens = Number(values.tokens);
const options = DecodeOptionsSchema.parse({ maxNewTokens: newTokens, minNewTokens: newTokens, numBeams: 1 });
const session = new DecodeSession({ decoder: lm, prompts: [prompt] });
let tokens: readonly number[] = [];
try {
  tokens = (await createSearchRegistry().get('greedy').decode(session, options))[0]!.tokens;
} finally {
  session.dispose();
}
const stepNodes = backend.stats.lastNodes;

// Each session writes its profile (a JSON array of events, `<prefix>_<time>.json`) when profiling ends.
for (const s of sessions) s.endProfiling();
const files = readdirSync(dir).map((f) => join(dir, f));
let best: { runs: number; ops: Map<string, { n: number; us: number }>; nodes: number; runUs: number } | null = null;
for (const file of files) {
  const events = JSON.parse(readFileSync(file, 'utf8')) as ProfileEvent[];
  const runEvents = events.filter((ev) => ev.cat === 'Session' && ev.name === 'model_run');
  const runs = runEvents.length;
  const runUs = runEvents.reduce((t, ev) => t + ev.dur, 0);
  const ops = new Map<string, { n: number; us: number }>();
  let nodes = 0;
  for (const ev of events) {
    if (ev.cat !== 'Node' || !ev.name.endsWith('_kernel_time')) continue;
    const op = ev.args?.op_name ?? '?';
    const o = ops.get(op) ?? { n: 0, us: 0 };
    o.n++;
    o.us += ev.dur;
    ops.set(op, o);
    nodes++;
  }
  if (!best || runs > best.runs) best = { runs, ops, nodes, runUs };
}
rmSync(dir, { recursive: true, force: true });
lm.dispose();
await backend.close();

if (!best) throw new Error('no session ran');
// The decoding step session runs once per new token after the first (the prompt step).
const { runs, ops, nodes, runUs } = best;
const kernelUs = (test: (op: string) => boolean) => [...ops.entries()].filter(([op]) => test(op)).reduce((t, [, o]) => t + o.us, 0);
const gemmUs = kernelUs((op) => op === 'MatMul' || op === 'Gemm');
const otherUs = kernelUs((op) => op !== 'MatMul' && op !== 'Gemm');
const ms = (us: number) => (us / runs / 1000).toFixed(2);
console.log(`greedy tokens: ${tokens.join(' ')}`);
console.log(`fuse: ${values.fuse}; step graph: ${stepNodes} emitted nodes; ORT kernels per run: ${(nodes / runs).toFixed(1)} over ${runs} runs`);
// Profiling adds a little to every kernel: the split matters more than the totals.
console.log(`per run (profiled): model_run ${ms(runUs)} ms = MatMul/Gemm kernels ${ms(gemmUs)} + other kernels ${ms(otherUs)} + between kernels ${ms(runUs - gemmUs - otherUs)}`);
const rows = [...ops.entries()].sort((a, b) => b[1].us - a[1].us).slice(0, Number(values.top));
for (const [op, o] of rows) console.log(`${op.padEnd(32)} ${(o.n / runs).toFixed(1).padStart(7)} per run ${(o.us / runs / 1000).toFixed(3).padStart(8)} ms per run`);
