/** The committed tiny GPT-2 / OPT folders are the generator's output, and the tokenizer files load. */
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseMergesText, parseVocabJson } from '../../tokenizers/bpe-files.js';
import { Gpt2Tokenizer } from '../../tokenizers/gpt2-tokenizer.js';
import { LM_FIXTURES } from './lm-goldens.js';
import { tinyLmFixtures } from './tiny-lm-fixtures.js';

const core = join(dirname(fileURLToPath(import.meta.url)), '../../..');

describe('tiny GPT-2 / OPT fixtures', () => {
  it('are byte-identical to the seeded generators (regenerate with scripts/write-tiny-gpt2-opt-fixtures.ts)', async () => {
    const bpe = await readFile(join(core, 'fixtures/vocab/vocab.bpe'), 'utf8');
    let total = 0;
    for (const [folder, files] of Object.entries(tinyLmFixtures(bpe))) {
      for (const [name, contents] of Object.entries(files)) {
        const committed = await readFile(join(LM_FIXTURES, folder, name));
        const bytes = typeof contents === 'string' ? Buffer.from(contents, 'utf8') : Buffer.from(contents);
        expect(committed.equals(bytes), `${folder}/${name}`).toBe(true);
        total += committed.length + (await readFile(join(LM_FIXTURES, folder, 'goldens.json'))).length / Object.keys(files).length;
      }
    }
    expect(total).toBeLessThan(1 << 20);
  });

  it('tiny-gpt2 tokenizer files are a prefix of GPT-2 vocabulary, consistent with vocab_size', async () => {
    const dir = join(LM_FIXTURES, 'tiny-gpt2');
    const vocab = parseVocabJson(await readFile(join(dir, 'vocab.json'), 'utf8'), 'vocab.json');
    const merges = parseMergesText(await readFile(join(dir, 'merges.txt'), 'utf8'), 'merges.txt');
    const config = JSON.parse(await readFile(join(dir, 'config.json'), 'utf8')) as { vocab_size: number; eos_token_id: number };
    const tok = new Gpt2Tokenizer({ vocab, merges });
    expect(tok.vocabSize).toBe(config.vocab_size);
    expect(tok.eosId).toBe(config.eos_token_id);
    const real = JSON.parse(await readFile(join(core, 'fixtures/vocab/encoder.json'), 'utf8')) as Record<string, number>;
    for (const [token, id] of vocab) if (token !== '<|endoftext|>') expect(real[token]).toBe(id);
    const ids = tok.encode(' the thing');
    expect(ids.every((i) => i < config.vocab_size)).toBe(true);
    expect(ids.length).toBeLessThan(' the thing'.length);
  });
});
