/**
 * `captune eval` (and the demo's evaluation): captions for every image of a split from a
 * trained adapter (or the frozen LM alone, the no-adapter baseline), as COCO results
 * `[{ image_id, caption }]`, scored against the split's references by a scoring function the
 * caller supplies (the CLI passes @captune/metrics `score`).
 */
import { join } from 'node:path';
import type { CaptionAdapter } from '../adapters/caption-adapter.js';
import type { CaptuneConfig } from '../config/captune-config.js';
import type { CaptionRecord, Split } from '../data/caption-dataset.js';
import { DecodeOptionsSchema } from '../decoding/decoder-search.js';
import { createSearchRegistry } from '../decoding/decoding-module.js';
import type { Engine } from '../engine/engine.js';
import { CaptuneError } from '../errors/captune-error.js';
import type { LanguageDecoder } from '../models/language-decoder.js';
import { CaptionGenerator, type GeneratedCaption } from '../pipelines/caption-generator.js';
import type { CaptionScorer } from '../pipelines/caption-validation.js';
import type { FeatureKind } from '../pipelines/feature-batch.js';
import type { FeatureSource } from '../pipelines/feature-source.js';
import type { Tokenizer } from '../tokenizers/tokenizer.js';
import { openTrainedCaptioner } from './run-captioner.js';
import { evaluateFittedMethod, isFittedMethodDir } from './recap-sitta-fitted.js';
import { openRunData } from './run-data.js';
import { openConfigLm } from './run-train.js';
import { ADAPTER_FILE } from './training-checkpoint.js';

/** One line of a COCO results file. */
export interface CocoResult {
  readonly image_id: number | string;
  readonly caption: string;
}

export interface SplitEvaluation {
  readonly results: CocoResult[];
  /** Corpus metrics by label as the scorer returns them (null without a scorer or references). */
  readonly metrics: Record<string, number> | null;
  readonly captions: GeneratedCaption[];
  readonly records: CaptionRecord[];
}

/** COCO image ids are numbers: a purely numeric record id becomes one. */
export function cocoImageId(id: string): number | string {
  return /^\d{1,15}$/.test(id) ? Number(id) : id;
}

export interface CaptionSplitOptions {
  readonly decoder: LanguageDecoder;
  readonly tokenizer: Tokenizer;
  /** null: the frozen LM alone, prompted with BOS. */
  readonly adapter: CaptionAdapter | null;
  readonly needs: FeatureKind;
  readonly features: FeatureSource;
  readonly records: readonly CaptionRecord[];
  readonly decoding: CaptuneConfig['decoding'];
  readonly score?: CaptionScorer;
  readonly batchSize?: number;
  readonly onProgress?: (n: number) => void;
}

export async function captionSplit(o: CaptionSplitOptions): Promise<SplitEvaluation> {
  const { search: searchName, ...decodeOptions } = o.decoding;
  const search = createSearchRegistry().get(searchName);
  const gen = new CaptionGenerator({
    decoder: o.decoder,
    adapter: o.adapter,
    tokenizer: o.tokenizer,
    search,
    options: DecodeOptionsSchema.parse(decodeOptions),
    batchSize: o.batchSize,
  });
  const captions = await gen.captionIds(
    o.features,
    o.needs,
    o.records.map((r) => r.id),
    o.onProgress,
  );
  const results = captions.map((c) => ({ image_id: cocoImageId(c.id), caption: c.caption }));
  const scored = o.records.filter((r) => r.captions.length > 0);
  let metrics: Record<string, number> | null = null;
  if (o.score && scored.length > 0) {
    const byId = new Map(captions.map((c) => [c.id, c.caption]));
    metrics = await o.score(
      Object.fromEntries(scored.map((r) => [r.id, [...r.captions]])),
      Object.fromEntries(scored.map((r) => [r.id, byId.get(r.id)!])),
    );
  }
  return { results, metrics, captions, records: [...o.records] };
}

export interface EvaluateCheckpointOptions {
  readonly engine: Engine;
  readonly config: CaptuneConfig;
  /** A checkpoint folder (with adapter.safetensors), or null for the no-adapter baseline. */
  readonly checkpoint: string | null;
  readonly split?: Split | 'all';
  readonly score?: CaptionScorer;
  readonly onStart?: (total: number) => void;
  readonly onProgress?: (n: number) => void;
  readonly onNote?: (message: string) => void;
}

export async function evaluateCheckpoint(o: EvaluateCheckpointOptions): Promise<SplitEvaluation> {
  const { config, engine } = o;
  if (!config.models.lm)
    throw new CaptuneError('models.lm is not set in the config (the frozen GPT-2 folder)');
  const split = o.split ?? config.data.splits.test;
  if (o.checkpoint && (await isFittedMethodDir(o.checkpoint))) {
    // A `captune fit` folder (ReCap, SITTA): captioned through its FittedCaptioner.
    const ev = await evaluateFittedMethod({ engine, config, dir: o.checkpoint, split, score: o.score, onStart: o.onStart, onProgress: o.onProgress, onNote: o.onNote });
    return { ...ev, results: ev.captions.map((c) => ({ image_id: cocoImageId(c.id), caption: c.caption })) };
  }
  const cap = o.checkpoint
    ? await openTrainedCaptioner(engine, {
        lm: config.models.lm,
        adapterFile: join(o.checkpoint, ADAPTER_FILE),
      })
    : null;
  const lm = cap ? null : await openConfigLm(engine, config);
  try {
    const needs = cap?.method.needs ?? 'embeds';
    const data = await openRunData({
      engine,
      config,
      splits: [split],
      what: needs,
      onNote: o.onNote,
    });
    try {
      const records = data.records(split);
      if (records.length === 0)
        throw new CaptuneError(`${data.dataset.source}: no images in split "${split}"`);
      o.onStart?.(records.length);
      return await captionSplit({
        decoder: cap?.decoder ?? lm!.decoder,
        tokenizer: cap?.tokenizer ?? lm!.tokenizer,
        adapter: cap?.adapter ?? null,
        needs,
        features: data.features,
        records,
        decoding: config.decoding,
        score: o.score,
        onProgress: o.onProgress,
      });
    } finally {
      await data.close();
    }
  } finally {
    cap?.dispose();
    lm?.dispose();
  }
}
