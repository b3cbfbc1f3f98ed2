/**
 * `pnpm bench`: every benchmark, per available backend and device; results as JSON in
 * bench/results/ (with the machine's details) and a table on stdout.
 *
 *   pnpm bench [--quick] [--backend tfjs|onnx] [--device wasm|cpu|…]
 *              [--only matmul,layer,models,train,pipeline,onnx,fit,metrics]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createBackendRegistry, type DeviceName } from '@captune/core';
import { tfjsBackendModule } from '@captune/backend-tfjs';
import { onnxBackendModule } from '@captune/backend-onnx';
import { formatTable, withPeakMemory, type BenchResult } from './bench-result.js';
import { machineInfo } from './machine.js';
import { machineBandwidth } from './memory-bandwidth.js';
import { gpt2LayerBench, matmulBench } from './op-bench.js';
import { runModelBench } from './model-bench.js';
import { runOnnxBench } from './onnx-bench.js';
import { runFitBench } from './fit-bench.js';
import { runTrainBench } from './train-bench.js';
import { runPipelineBench } from './pipeline-bench.js';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    backend: { type: 'string' },
    device: { type: 'string' },
    only: { type: 'string' },
  },
  strict: true,
});
const only = values.only ? new Set(values.only.split(',')) : null;
const want = (name: string) => !only || only.has(name);

const registry = createBackendRegistry([tfjsBackendModule, onnxBackendModule]);
const results: BenchResult[] = [];
const skipped: { target: string; reason: string }[] = [];

if (want('models') || want('onnx')) {
  // Measured first, on an idle process: the decode benchmarks' hardware limit.
  const bw = await machineBandwidth();
  results.push({ name: `memory read bandwidth (WebAssembly SIMD, ${bw.threads} threads, ${bw.bufferMiB} MiB)`, target: 'machine', value: bw.gbps, unit: 'GB/s' });
}

for (const report of await registry.report()) {
  if (values.backend && report.backend !== values.backend) continue;
  if (values.device && report.device !== values.device) continue;
  const target = `${report.backend}/${report.device}`;
  if (!report.availability.available) {
    skipped.push({ target, reason: report.availability.reason });
    continue;
  }
  // The plain-JS tfjs cpu backend is ~40x slower than wasm: keep it to small sizes.
  const slow = report.backend === 'tfjs' && report.device === 'cpu';
  const backend = await registry.create({ backend: report.backend as 'tfjs' | 'onnx', device: report.device as DeviceName });
  try {
    if (want('matmul')) results.push(...(await matmulBench(backend, slow ? [256, 512] : [256, 512, 1024, 2048], values.quick)));
    if (want('layer') && !slow) results.push(...(await gpt2LayerBench(backend, values.quick)));
    for (const [group, run] of [
      ['models', () => runModelBench(backend, values.quick)],
      ['train', () => runTrainBench(backend, values.quick)],
    ] as const) {
      if (!want(group) || slow) continue;
      const { result, peakMiB } = await withPeakMemory(run);
      results.push(...result, { name: `peak RSS during ${group}`, target, value: peakMiB, unit: 'MiB' });
    }
    if (want('layer') && slow) skipped.push({ target, reason: 'gpt2-small layer: skipped on the plain-JavaScript tfjs cpu device (~40x slower than wasm; minutes per step)' });
  } finally {
    await backend.close();
  }
  console.error(`done: ${target}`);
}

if (want('onnx') && (!values.backend || values.backend === 'onnx')) {
  try {
    results.push(...(await runOnnxBench(values.quick)));
  } catch (e) {
    skipped.push({ target: 'onnx', reason: e instanceof Error ? e.message : String(e) });
  }
}

if (want('pipeline')) {
  const { result, peakMiB } = await withPeakMemory(() => runPipelineBench(values.quick));
  results.push(...result, { name: 'peak RSS during pipeline', target: 'pipeline', value: peakMiB, unit: 'MiB' });
}

if (want('fit')) results.push(...(await runFitBench(values.quick)));

if (want('metrics')) {
  try {
    const mod = (await import('./metrics-bench.js')) as { runMetricsBench?: () => Promise<BenchResult[]> };
    if (mod.runMetricsBench) results.push(...(await mod.runMetricsBench()).map((r) => ({ target: r.target ?? 'metrics', ...r })));
  } catch (e) {
    skipped.push({ target: 'metrics', reason: e instanceof Error ? e.message : String(e) });
  }
}

const machine = machineInfo();
const here = dirname(fileURLToPath(import.meta.url));
const dir = join(here, 'results');
mkdirSync(dir, { recursive: true });
const payload = { machine, results, skipped };
const stamp = machine.date.replace(/[:.]/g, '-');
writeFileSync(join(dir, `bench-${stamp}.json`), JSON.stringify(payload, null, 2));
writeFileSync(join(dir, 'latest.json'), JSON.stringify(payload, null, 2));

console.log(`captune bench — ${machine.cpuModel}, ${machine.cores} cores, ${machine.memoryGiB} GiB, Node ${machine.node}, ${machine.platform}`);
console.log(formatTable(results));
for (const s of skipped) console.log(`skipped ${s.target}: ${s.reason}`);
console.log(`\nJSON: ${join(dir, 'latest.json')}`);
