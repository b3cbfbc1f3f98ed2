/**
 * `captune score`: caption metrics of a results file against references, as pycocoevalcap's
 * COCOEvalCap reports them (Bleu_1..4, METEOR, ROUGE_L, CIDEr, SPICE) plus CLIP-S, RefCLIP-S
 * (Hessel et al. 2021) and aCLIP-S, RefaCLIP-S (ReCap) with a CLIP folder on any backend.
 * Metrics come from @captune/metrics' `scoreAsync`; METEOR without a paraphrase table is
 * reported under the key `METEOR (no paraphrase)`.
 */
import { parseCommandArgs, UsageError, type Command, type ParsedArgs } from '../command.js';
import {
  BACKEND_OPTIONS,
  backendChoice,
  backendHelp,
  withEngine,
} from '../runtime/backend-options.js';
import { intOption } from '../runtime/option-values.js';
import { fixed, printJson, printText, table } from '../runtime/output.js';

const METRICS = [
  'bleu',
  'meteor',
  'rouge',
  'cider',
  'spice',
  'clips',
  'refclips',
  'aclips',
  'refaclips',
] as const;
type Metric = (typeof METRICS)[number];
const CLIP_METRICS: readonly Metric[] = ['clips', 'refclips', 'aclips', 'refaclips'];

export interface ScoreOutput {
  readonly corpus: Record<string, number>;
  readonly perImage: Record<string, Record<string, number>>;
  readonly notes: readonly string[];
}

export const scoreCommand: Command = {
  name: 'score',
  summary:
    'Score captions against references: BLEU, METEOR, ROUGE-L, CIDEr, SPICE, CLIP-S, RefCLIP-S, …',
  usage:
    'captune score --refs FILE --results FILE [--metrics LIST] [--json] [--spice-jar FILE] [--clip-model DIR --images DIR [--alignment FILE]]',
  help: `options:
  --refs FILE                 references: a COCO caption annotation file ({"images", "annotations"})
                              or {imageId: [captions]}
  --results FILE              candidates: a COCO results file ([{"image_id", "caption"}]) or {imageId: caption}
  --metrics LIST              comma-separated, from ${METRICS.join(',')}
                              (default: bleu,meteor,rouge,cider, plus spice with --spice-jar,
                              clips,refclips with --clip-model, aclips,refaclips with --alignment)
  --json                      print {"corpus": {...}, "perImage": {imageId: {...}}, "notes": [...]}
                              with pycocoevalcap's keys (Bleu_1…Bleu_4, METEOR, ROUGE_L, CIDEr, SPICE)
                              and CLIP-S, RefCLIP-S, aCLIP-S, RefaCLIP-S
METEOR 1.5 (resources the METEOR jar ships; see @captune/metrics' README):
  --meteor-paraphrase FILE    METEOR's paraphrase-en.gz; without it the score is reported as
                              "METEOR (no paraphrase)" (also its JSON key)
  --meteor-function-words FILE  METEOR's function/english.words
  --meteor-synonyms DIR       a folder with METEOR's english.synsets and english.exceptions
  --wordnet DIR               a WordNet dict folder for synonyms (default: WordNet 3.1 from npm)
SPICE 1.0 (the official jar, run with Java):
  --spice-jar FILE            spice-1.0.jar (with its lib/ beside it)
  --java PATH                 the Java launcher (default: java on PATH)
  --spice-cache DIR           SPICE's parse cache (default: cache/ beside the jar)
CLIP-based scores:
  --clip-model DIR            a Hugging Face CLIPModel folder (config.json, model.safetensors,
                              preprocessor_config.json, tokenizer files)
  --images DIR                the image folder: COCO refs name files in images[].file_name; for
                              {imageId: [captions]} refs each image id is its file name
  --alignment FILE            a ReCap alignment (safetensors: tensor W float32 [P, P] applied as W·v,
                              metadata {"kind": "recap-alignment"}) for aCLIP-S and RefaCLIP-S
  --batch-size N              images or texts per CLIP forward pass (default 16)
${backendHelp(30)}
  -h, --help                  show this help

Every image needs references and exactly one candidate: ids on one side only are an error naming
them. Malformed files give one line naming the file and the record.`,

  async run(argv) {
    const parsed = parseCommandArgs(this, argv, {
      refs: { type: 'string' },
      results: { type: 'string' },
      metrics: { type: 'string' },
      json: { type: 'boolean' },
      'meteor-paraphrase': { type: 'string' },
      'meteor-function-words': { type: 'string' },
      'meteor-synonyms': { type: 'string' },
      wordnet: { type: 'string' },
      'spice-jar': { type: 'string' },
      java: { type: 'string' },
      'spice-cache': { type: 'string' },
      'clip-model': { type: 'string' },
      images: { type: 'string' },
      alignment: { type: 'string' },
      'batch-size': { type: 'string' },
      ...BACKEND_OPTIONS,
    });
    if (!parsed) return 0;
    const { values, positionals } = parsed;
    if (positionals.length > 0)
      throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}`);
    const str = (name: string) => values[name] as string | undefined;
    const refsPath = str('refs');
    const resultsPath = str('results');
    if (refsPath === undefined) throw new UsageError('missing --refs FILE');
    if (resultsPath === undefined) throw new UsageError('missing --results FILE');
    const metrics = chooseMetrics(values);
    const clipWanted = metrics.filter((m) => CLIP_METRICS.includes(m));
    const clipModel = str('clip-model');
    const imagesRoot = str('images');
    if (clipWanted.length > 0 && (clipModel === undefined || imagesRoot === undefined)) {
      throw new UsageError(
        `--metrics ${clipWanted.join(',')} needs --clip-model DIR and --images DIR`,
      );
    }
    if (
      (metrics.includes('aclips') || metrics.includes('refaclips')) &&
      str('alignment') === undefined
    ) {
      throw new UsageError('aclips and refaclips need --alignment FILE (a fitted ReCap alignment)');
    }
    const batchSize = intOption(values, 'batch-size', { min: 1 }) ?? 16;
    const choice = backendChoice(values);

    const m = await import('@captune/metrics');
    const references = await m.readReferencesFile(refsPath);
    const candidates = await m.readResultsFile(resultsPath);
    const opt = <K extends string>(key: K, v: string | undefined) =>
      v === undefined ? {} : ({ [key]: v } as Record<K, string>);
    const base = {
      metrics,
      meteor: {
        ...opt('paraphraseTable', str('meteor-paraphrase')),
        ...opt('functionWords', str('meteor-function-words')),
        ...opt('meteorSynonymDir', str('meteor-synonyms')),
        ...opt('wordnetDir', str('wordnet')),
      },
      spice: {
        ...opt('jarPath', str('spice-jar')),
        ...opt('javaPath', str('java')),
        ...opt('cacheDir', str('spice-cache')),
      },
    };

    let result: ScoreOutput;
    if (clipWanted.length === 0) {
      result = (await m.scoreAsync(references, candidates, base)) as ScoreOutput;
    } else {
      // Fail on missing ids and images before loading a model.
      m.checkImageIds(references, candidates);
      const images = await m.readImagePaths(refsPath, imagesRoot!, Object.keys(references));
      const alignmentPath = str('alignment');
      const alignment =
        alignmentPath === undefined ? undefined : await m.readAlignmentFile(alignmentPath);
      result = await withEngine(choice, async ({ engine }) => {
        const embedder = await m.openClipFolderEmbedder(engine, clipModel!, { batchSize });
        try {
          if (alignment !== undefined && alignment.dim !== embedder.dim) {
            const { CaptuneError } = await import('@captune/core');
            throw new CaptuneError(
              `${alignmentPath}: W is ${alignment.dim}×${alignment.dim} but ${clipModel} embeds in ${embedder.dim} dimensions`,
            );
          }
          const clip = { embedder, images, ...(alignment !== undefined ? { alignment } : {}) };
          return (await m.scoreAsync(references, candidates, { ...base, clip })) as ScoreOutput;
        } finally {
          embedder.dispose();
        }
      });
    }
    if (values.json) printJson(result);
    else printText(formatScores(result, refsPath, resultsPath));
    return 0;
  },
};

/** `--metrics` as given (checked), or the default for the resources given. */
function chooseMetrics(values: ParsedArgs['values']): Metric[] {
  const raw = values.metrics as string | undefined;
  if (raw === undefined) {
    const out: Metric[] = ['bleu', 'meteor', 'rouge', 'cider'];
    if (values['spice-jar'] !== undefined) out.push('spice');
    if (values['clip-model'] !== undefined) out.push('clips', 'refclips');
    if (values['clip-model'] !== undefined && values.alignment !== undefined)
      out.push('aclips', 'refaclips');
    return out;
  }
  const names = raw
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter((s) => s !== '');
  if (names.length === 0) throw new UsageError('--metrics is empty');
  for (const n of names) {
    if (!(METRICS as readonly string[]).includes(n)) {
      throw new UsageError(
        `--metrics: unknown metric ${JSON.stringify(n)} (choose from ${METRICS.join(', ')})`,
      );
    }
  }
  return METRICS.filter((m) => names.includes(m));
}

function formatScores(r: ScoreOutput, refs: string, results: string): string {
  const n = Object.keys(r.perImage).length;
  const rows = Object.entries(r.corpus).map(([k, v]) => [k, fixed(v)]);
  const notes = r.notes.map((x) => `note: ${x}`);
  return [
    `${results} against ${refs}: ${n} image${n === 1 ? '' : 's'}`,
    '',
    table(['metric', 'score'], rows),
    ...(notes.length ? ['', ...notes] : []),
  ].join('\n');
}
