/**
 * Benchmark of @captune/metrics: PTB tokenisation + BLEU-1..4 + ROUGE-L + CIDEr-D on a seeded
 * synthetic COCO-like corpus (5,000 images × 5 references, captions of 8–14 words; target: the
 * whole `score()` under 0.75 s in Node, where pycocoevalcap takes ~7.3 s).
 * Run alone: `npx tsx bench/metrics-bench.ts`.
 */
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import {
  NgramVocabulary,
  bleuScores,
  ciderDScores,
  cocoTokenizeAll,
  rougeLScores,
  score,
} from '../packages/metrics/src/index.js';

export interface BenchResult {
  name: string;
  value: number;
  unit: string;
  extra?: Record<string, unknown>;
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = (
  'a an the man woman person people dog cat horse bus train car plate pizza table kitchen street ' +
  'sitting standing riding holding eating walking looking parked flying playing on in with of at near ' +
  'next to top front large small white black red two group some field grass water beach snow sky ' +
  'building room bed window tree road sign tennis baseball frisbee surfboard skateboard umbrella clock'
).split(' ');

/** A seeded COCO-like corpus: images × refsPerImage captions of 8–14 words, plus one candidate each. */
export function syntheticCorpus(
  images: number,
  refsPerImage: number,
  seed = 7,
): {
  references: Record<string, string[]>;
  candidates: Record<string, string>;
} {
  const rand = mulberry32(seed);
  const caption = (): string => {
    const n = 8 + Math.floor(rand() * 7);
    const w = Array.from({ length: n }, () => WORDS[Math.floor(rand() * WORDS.length)]!);
    w[0] = w[0]![0]!.toUpperCase() + w[0]!.slice(1);
    const r = rand();
    return w.join(' ') + (r < 0.6 ? '.' : r < 0.7 ? ' .' : '');
  };
  const references: Record<string, string[]> = {};
  const candidates: Record<string, string> = {};
  for (let i = 0; i < images; i++) {
    const id = String(100000 + i);
    references[id] = Array.from({ length: refsPerImage }, caption);
    candidates[id] = caption();
  }
  return { references, candidates };
}

/** Returns [result, wall seconds]; CPU seconds of the last call are kept in `lastCpu`. */
let lastCpu = 0;
const time = <T>(f: () => T): [T, number] => {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const r = f();
  const c = process.cpuUsage(c0);
  lastCpu = (c.user + c.system) / 1e6;
  return [r, (performance.now() - t0) / 1000];
};

export async function runMetricsBench(): Promise<BenchResult[]> {
  const images = 5000;
  const { references, candidates } = syntheticCorpus(images, 5);
  const ids = Object.keys(references);
  score(syntheticCorpus(200, 5, 1).references, syntheticCorpus(200, 5, 1).candidates); // warm-up

  const [refTok, tTokRefs] = time(() =>
    ids.map((id) => cocoTokenizeAll(references[id]!, new Map())),
  );
  const [candTok, tTokCands] = time(() =>
    cocoTokenizeAll(
      ids.map((id) => candidates[id]!),
      new Map(),
    ),
  );
  const vocab = new NgramVocabulary();
  const toIds = (s: string): Int32Array => vocab.wordIds(s === '' ? [] : s.split(' '));
  const [[refCounts, candCounts, refIds, candIds], tCount] = time(() => {
    const rIds = refTok.map((caps) => caps.map(toIds));
    const cIds = candTok.map(toIds);
    return [
      rIds.map((r) => r.map((x) => vocab.count(x))),
      cIds.map((x) => vocab.count(x)),
      rIds,
      cIds,
    ] as const;
  });
  const sizes = vocab.sizes();
  const [, tBleu] = time(() => bleuScores(candCounts, refCounts, sizes));
  const [, tRouge] = time(() => rougeLScores(candIds, refIds));
  const [, tCider] = time(() => ciderDScores(candCounts, refCounts, sizes));
  const [result, tTotal] = time(() => score(references, candidates));
  const cpuTotal = lastCpu;

  const extra = { images, refsPerImage: 5, captionWords: '8-14' };
  return [
    {
      name: 'metrics.tokenize.references',
      value: tTokRefs,
      unit: 's',
      extra: { captions: images * 5 },
    },
    {
      name: 'metrics.tokenize.candidates',
      value: tTokCands,
      unit: 's',
      extra: { captions: images },
    },
    { name: 'metrics.ngram-count', value: tCount, unit: 's' },
    { name: 'metrics.bleu', value: tBleu, unit: 's' },
    { name: 'metrics.rouge-l', value: tRouge, unit: 's' },
    { name: 'metrics.cider-d', value: tCider, unit: 's' },
    {
      name: 'metrics.score.total',
      value: tTotal,
      unit: 's',
      extra: {
        ...extra,
        cpuSeconds: cpuTotal,
        target: 0.75,
        pycocoevalcap: 7.3,
        CIDEr: result.corpus.CIDEr,
      },
    },
  ];
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const rows = await runMetricsBench();
  const w = Math.max(...rows.map((r) => r.name.length));
  for (const r of rows) {
    const cpu = r.extra?.cpuSeconds;
    const note = typeof cpu === 'number' ? `  (cpu ${cpu.toFixed(4)} s)` : '';
    console.log(`${r.name.padEnd(w)}  ${r.value.toFixed(4).padStart(9)} ${r.unit}${note}`);
  }
}
