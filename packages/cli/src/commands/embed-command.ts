/**
 * `captune embed`: CLIP embeddings of images and texts in the joint space, as transformers'
 * `CLIPModel.get_image_features` / `get_text_features` (the projected vectors, `raw`) and their
 * L2-normalised form (`embedding`, what `CLIPModel.forward` compares). Images are prepared as
 * openai/CLIP's `_transform` (PIL-exact bicubic resize, center crop, normalise); texts as
 * `clip.tokenize` at the model's context length. Only the towers the inputs need are loaded.
 */
import { parseCommandArgs, UsageError, type Command } from '../command.js';
import {
  BACKEND_OPTIONS,
  backendHelp,
  backendChoice,
  withEngine,
} from '../runtime/backend-options.js';
import { intOption } from '../runtime/option-values.js';
import { fixed, printJson, printText, table, vectorPreview } from '../runtime/output.js';

export interface EmbedRow {
  readonly embedding: number[];
  readonly raw: number[];
}

export interface EmbedResult {
  readonly images: (EmbedRow & { readonly path: string })[];
  readonly texts: (EmbedRow & { readonly text: string })[];
}

export const embedCommand: Command = {
  name: 'embed',
  summary: 'CLIP embeddings of images and texts (projected, and L2-normalised).',
  usage:
    'captune embed --model <clip folder> [--image PATH]... [--text STR]... [--json] [--batch-size N] [--backend B] [--device D]',
  help: `options:
  -m, --model <folder>      Hugging Face CLIPModel folder: config.json, model.safetensors,
                            preprocessor_config.json (images), tokenizer files (texts)
  -i, --image PATH          an image file (PNG, JPEG, WebP, …); repeat for more
  -t, --text STR            a text; repeat for more
  --batch-size N            inputs per forward pass (default 16)
  --json                    print {"images": [{"path", "embedding", "raw"}], "texts": [{"text", "embedding", "raw"}]}
                            in input order; "raw" is the projected vector, "embedding" it divided by its L2 norm
${backendHelp(28)}
  -h, --help                show this help

Human output: the embedding size, the norm and first values of each vector, and the cosine
similarity of every image with every text when both are given.`,

  async run(argv) {
    const parsed = parseCommandArgs(this, argv, {
      model: { type: 'string', short: 'm' },
      image: { type: 'string', short: 'i', multiple: true },
      text: { type: 'string', short: 't', multiple: true },
      'batch-size': { type: 'string' },
      json: { type: 'boolean' },
      ...BACKEND_OPTIONS,
    });
    if (!parsed) return 0;
    const { values, positionals } = parsed;
    if (positionals.length > 0) {
      throw new UsageError(
        `unexpected argument ${JSON.stringify(positionals[0])} (give images with --image and texts with --text)`,
      );
    }
    const model = values.model as string | undefined;
    if (model === undefined) throw new UsageError('missing --model <clip folder>');
    const images = (values.image as unknown as string[] | undefined) ?? [];
    const texts = (values.text as unknown as string[] | undefined) ?? [];
    if (images.length === 0 && texts.length === 0)
      throw new UsageError('nothing to embed: give --image PATH and/or --text STR');
    const batchSize = intOption(values, 'batch-size', { min: 1 }) ?? 16;
    const choice = backendChoice(values);

    const { result, target, dims } = await withEngine(choice, async ({ engine, target }) => {
      const { embedInputs } = await import('../runtime/embed-inputs.js');
      return { ...(await embedInputs(engine, { model, images, texts, batchSize })), target };
    });
    if (values.json) printJson(result);
    else printText(formatEmbeddings(result, model, target, dims));
    return 0;
  },
};

function formatEmbeddings(r: EmbedResult, model: string, target: string, dims: number): string {
  const n = (k: number, what: string) => `${k} ${what}${k === 1 ? '' : 's'}`;
  const lines = [
    `CLIP ${model} on ${target}: ${n(r.images.length, 'image')}, ${n(r.texts.length, 'text')}, ${dims}-dim embeddings`,
    '',
  ];
  const norm = (v: readonly number[]) => Math.sqrt(v.reduce((s, x) => s + x * x, 0));
  r.images.forEach((x, i) =>
    lines.push(
      `image ${i + 1}  ${x.path}\n  |raw| ${fixed(norm(x.raw))}  embedding ${vectorPreview(x.embedding)}`,
    ),
  );
  r.texts.forEach((x, i) =>
    lines.push(
      `text ${i + 1}  ${JSON.stringify(x.text)}\n  |raw| ${fixed(norm(x.raw))}  embedding ${vectorPreview(x.embedding)}`,
    ),
  );
  if (r.images.length > 0 && r.texts.length > 0) {
    const dot = (a: readonly number[], b: readonly number[]) =>
      a.reduce((s, x, i) => s + x * b[i]!, 0);
    lines.push('', 'cosine similarity (image × text):');
    lines.push(
      table(
        ['', ...r.texts.map((_, j) => `text ${j + 1}`)],
        r.images.map((img, i) => [
          `image ${i + 1}`,
          ...r.texts.map((t) => fixed(dot(img.embedding, t.embedding))),
        ]),
      ),
    );
  }
  return lines.join('\n');
}
