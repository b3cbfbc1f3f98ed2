/**
 * ReCap captioning (Paischer et al. 2024, ml-jku/ReCap): map the CLIP image embedding v with
 * the alignment (W · v), retrieve the k datastore captions nearest by cosine, prompt the frozen
 * LM with them ("Similar images show … This image shows"), decode several candidates, and keep
 * the one whose CLIP text embedding is closest to W · v — the candidate with the highest
 * aCLIP-S. Everything on the device goes through engine ops (matmul, topk, the decoder).
 */
import { DecodeOptionsSchema, type DecodeOptions } from '../../decoding/decoder-search.js';
import { DecodeSession } from '../../decoding/decode-session.js';
import { GreedySearch } from '../../decoding/greedy-search.js';
import { SamplingSearch } from '../../decoding/sampling-search.js';
import type { Engine } from '../../engine/engine.js';
import type { Tensor } from '../../engine/tensor.js';
import { CaptuneError } from '../../errors/captune-error.js';
import type { LanguageDecoder } from '../../models/language-decoder.js';
import { captionText, type GeneratedCaption } from '../../pipelines/caption-generator.js';
import type { FeatureSource } from '../../pipelines/feature-source.js';
import type { CaptionDatastore } from '../../retrieval/caption-datastore.js';
import { ExactSearch } from '../../retrieval/exact-search.js';
import type { Tokenizer } from '../../tokenizers/tokenizer.js';
import { readImageEmbeddings, type FittedCaptioner } from '../fitted-captioner.js';
import type { ClipTextEmbedder } from './clip-text-embedder.js';
import type { RecapConfig } from './recap-config.js';
import { buildRecapPrompt } from './recap-prompt.js';
import { pickBestCandidate } from './recap-rerank.js';

export interface RecapCaptionerOptions {
  readonly decoder: LanguageDecoder;
  readonly tokenizer: Tokenizer;
  /** W [P, P], applied as W · v. */
  readonly alignment: Float32Array;
  readonly datastore: CaptionDatastore;
  /** CLIP text embeddings of candidates (same CLIP as the datastore). */
  readonly embedTexts: ClipTextEmbedder;
  readonly config: RecapConfig;
}

/** Everything ReCap decided for one image. */
export interface RecapCaptionDetail {
  readonly id: string;
  readonly caption: string;
  /** aCLIP-S of the caption (2.5 · max(cos(W · v, E_txt(c)), 0)). */
  readonly score: number;
  /** W · v [P]. */
  readonly aligned: Float32Array;
  /** CLIP text embedding [P] of the caption. */
  readonly embedding: Float32Array;
  readonly retrieved: readonly string[];
  readonly prompt: string;
  readonly candidates: readonly string[];
}

export class RecapCaptioner implements FittedCaptioner {
  readonly method = 'recap';
  private readonly engine: Engine;
  private w: Tensor; // [P, P]
  private readonly search: ExactSearch;
  private readonly dim: number;

  constructor(private readonly o: RecapCaptionerOptions) {
    this.engine = o.decoder.engine;
    this.dim = o.datastore.dim;
    if (o.alignment.length !== this.dim * this.dim) throw new CaptuneError(`ReCap: the alignment has ${o.alignment.length} values, the datastore embeddings are of size ${this.dim}`);
    this.w = this.engine.keep(this.engine.tensor(o.alignment, [this.dim, this.dim]));
    this.search = new ExactSearch(this.engine, o.datastore);
  }

  /** Replaces W (the datastore-augmentation loop refits it). */
  setAlignment(w: Float32Array): void {
    if (w.length !== this.dim * this.dim) throw new CaptuneError(`ReCap: the new alignment has ${w.length} values, expected ${this.dim}×${this.dim}`);
    this.engine.dispose(this.w);
    this.w = this.engine.keep(this.engine.tensor(w, [this.dim, this.dim]));
  }

  /** W · v for each row of `images` [n, P] → [n, P] (on the engine). */
  async align(images: Float32Array): Promise<Float32Array> {
    const e = this.engine;
    const n = images.length / this.dim;
    const out = e.tidy(() => e.matmul(e.tensor(images, [n, this.dim]), this.w, { transposeB: true })); // [n, P]
    try {
      return (await e.read(out)) as Float32Array;
    } finally {
      e.dispose(out);
    }
  }

  /** The k nearest datastore captions of each aligned row. */
  async retrieve(aligned: Float32Array, k = this.o.config.k): Promise<string[][]> {
    const kk = Math.min(k, this.o.datastore.size);
    const r = await this.search.search(aligned, kk);
    const n = aligned.length / this.dim;
    return Array.from({ length: n }, (_, q) => Array.from(r.indices.subarray(q * kk, (q + 1) * kk), (i) => this.o.datastore.caption(i)));
  }

  /** Prompt ids for the retrieved captions, dropping the farthest captions until the prompt fits the LM's context. */
  promptIds(retrieved: readonly string[]): { text: string; ids: number[] } {
    const { prompt, decoding } = this.o.config;
    const cfg = this.o.decoder.config;
    const room = cfg.maxPositions - decoding.maxNewTokens;
    for (let n = retrieved.length; n >= 1; n--) {
      const text = buildRecapPrompt(retrieved.slice(0, n), prompt);
      const ids = [...(prompt.bos ? [cfg.bosTokenId] : []), ...this.o.tokenizer.encode(text)];
      if (ids.length <= room || n === 1) return { text, ids: ids.slice(Math.max(0, ids.length - room)) };
    }
    throw new CaptuneError('ReCap: no captions to prompt with');
  }

  private decodeOptions(): { search: GreedySearch | SamplingSearch; options: DecodeOptions; copies: number } {
    const d = this.o.config.decoding;
    const stopTokenIds = [...new Set(d.stopTexts.map((t) => this.o.tokenizer.encode(t)[0]).filter((t): t is number => t !== undefined))];
    const options = DecodeOptionsSchema.parse({ maxNewTokens: d.maxNewTokens, numBeams: 1, stopTokenIds, topP: d.topP, temperature: d.temperature, seed: d.seed });
    return d.search === 'greedy' ? { search: new GreedySearch(), options, copies: 1 } : { search: new SamplingSearch(), options, copies: d.candidates };
  }

  /** Decoded candidates (distinct, non-empty) for each prompt. */
  async candidates(prompts: readonly number[][]): Promise<string[][]> {
    const { search, options, copies } = this.decodeOptions();
    const rows = prompts.flatMap((p) => Array.from({ length: copies }, () => p));
    const session = new DecodeSession({ decoder: this.o.decoder, prompts: rows });
    try {
      const seqs = await search.decode(session, options);
      return prompts.map((_, i) => [...new Set(seqs.slice(i * copies, (i + 1) * copies).map((s) => captionText(this.o.tokenizer, s).text).filter((t) => t.length > 0))]);
    } finally {
      session.dispose();
    }
  }

  /** Captions with everything ReCap decided, for images with embeddings `images` [n, P]. */
  async captionEmbeddings(ids: readonly string[], images: Float32Array): Promise<RecapCaptionDetail[]> {
    const P = this.dim;
    if (images.length !== ids.length * P) throw new CaptuneError(`ReCap: ${images.length} embedding values for ${ids.length} images of size ${P}`);
    if (ids.length === 0) return [];
    const aligned = await this.align(images);
    const retrieved = await this.retrieve(aligned);
    const prompts = retrieved.map((r) => this.promptIds(r));
    const generated = await this.candidates(prompts.map((p) => p.ids));
    const pools = generated.map((g, i) => {
      const pool = this.o.config.rerankRetrieved ? [...new Set([...g, ...retrieved[i]!])] : g;
      return pool.length > 0 ? pool : [retrieved[i]![0]!];
    });
    const flat = pools.flat();
    const emb = await this.o.embedTexts(flat);
    let at = 0;
    return ids.map((id, i) => {
      const pool = pools[i]!;
      const rows = emb.subarray(at * P, (at + pool.length) * P);
      at += pool.length;
      const v = aligned.subarray(i * P, (i + 1) * P);
      const best = pickBestCandidate(v, rows, pool.length);
      return {
        id,
        caption: pool[best.index]!,
        score: best.score,
        aligned: v.slice(),
        embedding: rows.slice(best.index * P, (best.index + 1) * P),
        retrieved: retrieved[i]!,
        prompt: prompts[i]!.text,
        candidates: pool,
      };
    });
  }

  async captionIds(source: FeatureSource, ids: readonly string[], onBatch?: (n: number) => void): Promise<GeneratedCaption[]> {
    const out: GeneratedCaption[] = [];
    const bs = this.o.config.batchSize;
    for (let i = 0; i < ids.length; i += bs) {
      const part = ids.slice(i, i + bs);
      const details = await this.captionEmbeddings(part, await readImageEmbeddings(source, part));
      for (const d of details) out.push({ id: d.id, caption: d.caption, tokens: this.o.tokenizer.encode(d.caption), score: d.score });
      onBatch?.(part.length);
    }
    return out;
  }

  dispose(): void {
    this.search.dispose();
    this.engine.dispose(this.w);
  }
}
