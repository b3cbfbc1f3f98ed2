/**
 * Paths of the fixtures the model-command tests use: core's tiny CLIP and tiny GPT-2 / OPT
 * folders, and ../fixtures/ (PNG images and cli-goldens.json, written by
 * packages/cli/scripts/cli_goldens.py from captune's numpy float64 references).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

export const TINY_CLIP = here('../../../../core/src/models/testing/tiny-clip');
export const TINY_GPT2 = here('../../../../core/src/models/testing/fixtures/tiny-gpt2');
export const TINY_OPT = here('../../../../core/src/models/testing/fixtures/tiny-opt');
export const FIXTURES = here('../fixtures');

interface EmbedGolden {
  readonly raw: number[];
  readonly embedding: number[];
}

interface GreedyGolden {
  readonly prompt_ids: number[];
  readonly max_new_tokens: number;
  readonly generated_ids: number[];
  readonly logprobs: number[];
}

export interface CliGoldens {
  readonly clip: {
    readonly images: (EmbedGolden & { readonly file: string })[];
    readonly texts: (EmbedGolden & { readonly text: string; readonly ids: number[] })[];
    readonly cosine: number[][];
  };
  readonly lm: {
    readonly 'tiny-gpt2': {
      readonly lm_score: { readonly ids: number[]; readonly logprobs: (number | null)[] };
      readonly greedy: GreedyGolden;
    };
    readonly 'tiny-opt': { readonly greedy_eos: GreedyGolden };
  };
}

export const GOLDENS = JSON.parse(
  readFileSync(here('../fixtures/cli-goldens.json'), 'utf8'),
) as CliGoldens;
