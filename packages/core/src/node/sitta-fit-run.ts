/**
 * `captune fit --method sitta` from a config (Paischer et al. 2023): the word vocabulary and its
 * LM token-embedding statistics, then either token correspondences (each word token in CLIP prompt templates
 * through CLIP's text tower) or image–caption pairs of the training split, the closed-form
 * fit into the LM's z-scored embedding space, and the method folder. The training images'
 * CLIP embeddings give the image-side z-scoring in both cases.
 */
import { join, resolve } from 'node:path';
import { CaptuneError } from '../errors/captune-error.js';
import { readImageEmbeddings } from '../methods/fitted-captioner.js';
import type { SittaModel } from '../methods/sitta/sitta-captioner.js';
import { columnStats, fitSittaPairs, fitSittaTokens, lmEmbeddingStats, promptedTokenEmbeddings } from '../methods/sitta/sitta-fit.js';
import { captionTokens, wordTokens } from '../methods/sitta/sitta-vocabulary.js';
import { openClipTextEmbedder } from './recap-sitta-fitted.js';
import type { FitRunOptions, FitRunSummary } from './recap-fit-run.js';
import { writeMethodFile } from './recap-method-folder.js';
import { openRunData } from './run-data.js';
import { openConfigLm } from './run-train.js';
import { saveSittaModel, SITTA_FILE } from './sitta-method-file.js';

const now = () => performance.now() / 1000;

export async function fitSittaFromConfig(o: FitRunOptions): Promise<FitRunSummary> {
  const t0 = now();
  const { config, engine } = o;
  const cfg = config.sitta;
  const split = o.split ?? config.data.splits.train;
  const data = await openRunData({ engine, config, splits: [split], what: 'embeds', onNote: o.onNote });
  const opened: { dispose(): void }[] = [];
  try {
    const records = data.records(split).filter((r) => r.captions.some((c) => c.trim()));
    if (records.length === 0) throw new CaptuneError(`${data.dataset.source}: no captioned images in split "${split}" to fit on`);
    const images = await readImageEmbeddings(data.features, records.map((r) => r.id)); // [N, P]
    const P = data.features.embedDim!;
    const imageStats = columnStats(images, records.length, P);
    const lm = await openConfigLm(engine, config);
    opened.push(lm);
    const V = Math.min(lm.tokenizer.vocabSize, lm.decoder.config.vocabSize);
    const fromCaptions = cfg.vocabulary === 'caption-words';
    const tokens = fromCaptions ? captionTokens(lm.tokenizer, records.flatMap((r) => r.captions), V) : wordTokens(lm.tokenizer, V, { maxTokens: cfg.maxTokens });
    if (tokens.ids.length === 0) throw new CaptuneError(`${config.models.lm}: no LM token decodes to a word${fromCaptions ? ' of the training captions' : ''}`);
    // z-score (and whiten) the LM side with the statistics of the vocabulary that captioning searches.
    const lmStats = await lmEmbeddingStats(lm.decoder, tokens.ids, cfg.lmSpace === 'whiten' ? { whitenEpsilon: cfg.whitenEpsilon } : {});
    let embedSeconds = 0;
    let fitSeconds: number;
    let rows: number;
    let model: SittaModel;
    if (cfg.source === 'tokens') {
      const { clip, embed } = await openClipTextEmbedder(engine, config.models.clip!);
      opened.push(clip);
      o.onNote?.(`embedding ${tokens.ids.length} word tokens × ${cfg.templates.length} templates with CLIP's text tower`);
      o.onPhase?.('embed prompted tokens', tokens.ids.length);
      const te = now();
      const x = await promptedTokenEmbeddings(embed, tokens, cfg.templates, o.onTick);
      embedSeconds = now() - te;
      const tf = now();
      const fit = await fitSittaTokens(x, lm.decoder, tokens, lmStats, { solver: cfg.solver, alpha: cfg.alpha });
      fitSeconds = now() - tf;
      rows = tokens.ids.length;
      // Fitted on z-scored text embeddings; images are z-scored with their own statistics (as SITTA's generate_captions.py).
      model = { source: 'tokens', map: { ...fit.map, meanX: imageStats.mean, stdX: imageStats.std }, lmStats, tokenIds: tokens.ids };
    } else {
      const tf = now();
      const fit = await fitSittaPairs(images, records.map((r) => r.captions), lm.decoder, lm.tokenizer, lmStats, { solver: cfg.solver, alpha: cfg.alpha });
      fitSeconds = now() - tf;
      rows = fit.rows;
      model = { source: 'pairs', map: fit.map, lmStats, tokenIds: tokens.ids };
    }
    o.onNote?.(`fitted SITTA's map (${cfg.source}, ${cfg.solver}, ${P}→${lm.decoder.config.embedSize}, LM space ${cfg.lmSpace}) on ${rows} rows in ${fitSeconds.toFixed(3)} s`);
    const out = resolve(o.out);
    await saveSittaModel(join(out, SITTA_FILE), model);
    await writeMethodFile(out, {
      method: 'sitta',
      clipModel: resolve(config.models.clip!),
      lmModel: resolve(config.models.lm!),
      config: cfg as unknown as Record<string, unknown>,
      fit: { split, images: records.length, rows, source: cfg.source, solver: cfg.solver, lmSpace: cfg.lmSpace, vocabulary: tokens.ids.length, embedSeconds, fitSeconds },
    });
    return { method: 'sitta', out, images: records.length, rows, solver: cfg.solver, embedSeconds, fitSeconds, totalSeconds: now() - t0, extra: { source: cfg.source, lmSpace: cfg.lmSpace, vocabulary: tokens.ids.length }, dal: [] };
  } finally {
    opened.reverse().forEach((x) => x.dispose());
    await data.close();
  }
}
