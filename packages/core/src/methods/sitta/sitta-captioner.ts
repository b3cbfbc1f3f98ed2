/**
 * SITTA captioning (Paischer et al. 2023, `generate_captions.py`): map the CLIP image
 * embedding into the LM's z-scored token-embedding space, take the nearest word tokens by
 * cosine (de-duplicated), decode (greedy, or sampled) from several permutations of the word prompt
 * followed by "A picture of", and keep the caption whose CLIP text embedding is closest to the
 * image's CLIP embedding (CLIP-S). Mapping and nearest-token search run as engine ops.
 */
import { LinearMapModule } from '../../alignment/linear-map-module.js';
import type { LinearMap } from '../../alignment/linear-map.js';
import { DecodeOptionsSchema } from '../../decoding/decoder-search.js';
import { DecodeSession } from '../../decoding/decode-session.js';
import { GreedySearch } from '../../decoding/greedy-search.js';
import { SamplingSearch } from '../../decoding/sampling-search.js';
import { CaptuneError } from '../../errors/captune-error.js';
import type { LanguageDecoder } from '../../models/language-decoder.js';
import { captionText, type GeneratedCaption } from '../../pipelines/caption-generator.js';
import type { FeatureSource } from '../../pipelines/feature-source.js';
import { Rng } from '../../random/rng.js';
import { CaptionDatastore } from '../../retrieval/caption-datastore.js';
import { ExactSearch } from '../../retrieval/exact-search.js';
import type { Tokenizer } from '../../tokenizers/tokenizer.js';
import { readImageEmbeddings, type FittedCaptioner } from '../fitted-captioner.js';
import type { ClipTextEmbedder } from '../recap/clip-text-embedder.js';
import { pickBestCandidate } from '../recap/recap-rerank.js';
import type { SittaConfig } from './sitta-config.js';
import { lmSpaceEmbeddings, type EmbeddingStats } from './sitta-fit.js';
import { dedupeTokens, tokenPermutations, wordBiasRows, wordPromptIds } from './sitta-prompts.js';

/** A fitted SITTA: the map (raw CLIP image embedding → the LM space: z-scored, optionally whitened) and the word vocabulary. */
export interface SittaModel {
  readonly source: 'tokens' | 'pairs';
  readonly map: LinearMap;
  readonly lmStats: EmbeddingStats;
  /** Candidate LM token ids of the word prompt. */
  readonly tokenIds: Int32Array;
}

export interface SittaCaptionDetail {
  readonly id: string;
  readonly caption: string;
  /** CLIP-S of the caption (2.5 · max(cos(v, E_txt(c)), 0)). */
  readonly score: number;
  /** The de-duplicated nearest tokens, best first. */
  readonly tokens: readonly number[];
  readonly words: readonly string[];
  readonly candidates: readonly string[];
}

export interface SittaCaptionerOptions {
  readonly decoder: LanguageDecoder;
  readonly tokenizer: Tokenizer;
  readonly model: SittaModel;
  readonly embedTexts: ClipTextEmbedder;
  readonly config: SittaConfig;
}

export class SittaCaptioner implements FittedCaptioner {
  readonly method = 'sitta';
  private constructor(
    private readonly o: SittaCaptionerOptions,
    private readonly mapper: LinearMapModule,
    private readonly store: CaptionDatastore,
    private readonly search: ExactSearch,
  ) {}

  /** The fitted map and vocabulary this captioner uses. */
  get model(): SittaModel {
    return this.o.model;
  }

  static async create(o: SittaCaptionerOptions): Promise<SittaCaptioner> {
    const E = o.decoder.config.embedSize;
    if (o.model.map.dOut !== E) throw new CaptuneError(`SITTA: the map outputs ${o.model.map.dOut} values but the LM's embeddings have ${E}`);
    if (o.model.tokenIds.length === 0) throw new CaptuneError('SITTA: the word vocabulary is empty');
    const emb = await lmSpaceEmbeddings(o.decoder, o.model.tokenIds, o.model.lmStats); // [K, E]
    const store = new CaptionDatastore(E, { clipModel: 'lm-token-embeddings' });
    store.add(emb, Array.from(o.model.tokenIds, String), { source: 'SITTA token embeddings' });
    const engine = o.decoder.engine;
    return new SittaCaptioner(o, new LinearMapModule(engine, o.model.map), store, new ExactSearch(engine, store));
  }

  /** The de-duplicated nearest word tokens of each image [n, P]. */
  async nearestTokens(images: Float32Array): Promise<number[][]> {
    const e = this.o.decoder.engine;
    const P = this.o.model.map.dIn;
    const n = images.length / P;
    const mappedT = e.tidy(() => this.mapper.apply(e.tensor(images, [n, P]))); // [n, E]
    let mapped: Float32Array;
    try {
      mapped = (await e.read(mappedT)) as Float32Array;
    } finally {
      e.dispose(mappedT);
    }
    const m = Math.min(this.o.config.searchTokens, this.store.size);
    const r = await this.search.search(mapped, m);
    return Array.from({ length: n }, (_, q) => dedupeTokens(Array.from(r.indices.subarray(q * m, (q + 1) * m), (i) => Number(this.store.caption(i))), this.o.tokenizer, this.o.config.k));
  }

  async captionEmbeddings(ids: readonly string[], images: Float32Array): Promise<SittaCaptionDetail[]> {
    const { config, tokenizer, decoder } = this.o;
    const P = this.o.model.map.dIn;
    if (images.length !== ids.length * P) throw new CaptuneError(`SITTA: ${images.length} embedding values for ${ids.length} images of size ${P}`);
    if (ids.length === 0) return [];
    const nearest = await this.nearestTokens(images);
    const suffix = tokenizer.encode(config.prompt);
    const bos = config.bos ? decoder.config.bosTokenId : null;
    const prompts = nearest.flatMap((toks, i) => tokenPermutations(toks, config.permutations, new Rng(config.seed + i)).map((p) => wordPromptIds(p, suffix, bos)));
    const stopTokenIds = [...new Set(config.stopTexts.map((t) => tokenizer.encode(t)[0]).filter((t): t is number => t !== undefined))];
    const V = decoder.config.vocabSize;
    const logitBias = config.wordBias > 0 ? decoder.engine.tensor(wordBiasRows(nearest, config.permutations, V, config.wordBias), [prompts.length, V]) : undefined;
    const session = new DecodeSession({ decoder, prompts, ...(logitBias ? { conditioning: { logitBias } } : {}) });
    let texts: string[];
    try {
      const search = config.decoding === 'greedy' ? new GreedySearch() : new SamplingSearch();
      const sampling = {
        temperature: config.temperature,
        topK: config.decoding === 'topk' ? config.topK : 0,
        topP: config.decoding === 'nucleus' ? config.topP : 1,
        seed: config.seed,
      };
      const seqs = await search.decode(session, DecodeOptionsSchema.parse({ maxNewTokens: config.maxNewTokens, numBeams: 1, stopTokenIds, ...sampling }));
      texts = seqs.map((s) => captionText(tokenizer, s).text);
    } finally {
      session.dispose();
      if (logitBias) decoder.engine.dispose(logitBias);
    }
    const L = config.permutations;
    const pools = ids.map((_, i) => {
      const pool = [...new Set(texts.slice(i * L, (i + 1) * L).filter((t) => t.length > 0))];
      return pool.length > 0 ? pool : [nearest[i]!.map((t) => tokenizer.decode([t]).trim()).join(' ')];
    });
    const emb = await this.o.embedTexts(pools.flat());
    let at = 0;
    return ids.map((id, i) => {
      const pool = pools[i]!;
      const rows = emb.subarray(at * P, (at + pool.length) * P);
      at += pool.length;
      const best = pickBestCandidate(images.subarray(i * P, (i + 1) * P), rows, pool.length);
      return { id, caption: pool[best.index]!, score: best.score, tokens: nearest[i]!, words: nearest[i]!.map((t) => tokenizer.decode([t]).trim()), candidates: pool };
    });
  }

  async captionIds(source: FeatureSource, ids: readonly string[], onBatch?: (n: number) => void): Promise<GeneratedCaption[]> {
    const out: GeneratedCaption[] = [];
    const bs = this.o.config.batchSize;
    for (let i = 0; i < ids.length; i += bs) {
      const part = ids.slice(i, i + bs);
      for (const d of await this.captionEmbeddings(part, await readImageEmbeddings(source, part))) {
        out.push({ id: d.id, caption: d.caption, tokens: this.o.tokenizer.encode(d.caption), score: d.score });
      }
      onBatch?.(part.length);
    }
    return out;
  }

  dispose(): void {
    this.search.dispose();
    this.mapper.dispose();
  }
}
