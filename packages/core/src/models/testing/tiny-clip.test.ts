/** The committed tiny CLIP folder is the generator's output, and its tokenizer files load. */
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseClipConfig } from '../../checkpoint/clip-config.js';
import { parseClipImageProcessorConfig } from '../../checkpoint/clip-image-processor-config.js';
import { parseMergesText, parseVocabJson } from '../../tokenizers/bpe-files.js';
import { clipTokenize } from '../../tokenizers/clip-tokenize.js';
import { ClipTokenizer } from '../../tokenizers/clip-tokenizer.js';
import { buildTinyClip, TINY_CLIP_VOCAB_SIZE, TINY_CLIP_WORDS } from './tiny-clip.js';

const folder = join(dirname(fileURLToPath(import.meta.url)), 'tiny-clip');
const read = (name: string) => readFile(join(folder, name));

describe('tiny CLIP checkpoint', () => {
  it('is byte-identical to the seeded generator (regenerate with scripts/write-tiny-clip.ts)', async () => {
    const files = buildTinyClip();
    expect([...files.keys()].sort()).toEqual([
      'config.json',
      'merges.txt',
      'model.safetensors',
      'preprocessor_config.json',
      'vocab.json',
    ]);
    let total = 0;
    for (const [name, bytes] of files) {
      const committed = new Uint8Array(await read(name));
      expect(Buffer.from(committed).equals(Buffer.from(bytes)), name).toBe(true);
      total += committed.length;
    }
    expect(total).toBeLessThan(1 << 20);
  });

  it('has configs that parse and a vocabulary consistent with vocab_size', async () => {
    const config = parseClipConfig(JSON.parse((await read('config.json')).toString()));
    expect(config.text.vocabSize).toBe(TINY_CLIP_VOCAB_SIZE);
    const pre = parseClipImageProcessorConfig(
      JSON.parse((await read('preprocessor_config.json')).toString()),
    );
    expect(pre.cropSize).toEqual({ height: 32, width: 32 });
    const tokenizer = new ClipTokenizer({
      vocab: parseVocabJson((await read('vocab.json')).toString(), 'vocab.json'),
      merges: parseMergesText((await read('merges.txt')).toString(), 'merges.txt'),
    });
    expect(tokenizer.vocabSize).toBe(config.text.vocabSize);
    expect(tokenizer.bosId).toBe(config.text.bosTokenId);
    expect(tokenizer.eosId).toBe(config.text.eosTokenId);
    for (const word of TINY_CLIP_WORDS)
      expect(tokenizer.tokens(tokenizer.encode(word))).toEqual([`${word}</w>`]);
    const [row] = clipTokenize(tokenizer, ['A photo of a red circle.']);
    expect(row).toHaveLength(77);
    expect(tokenizer.decode(row!.slice(1, 8))).toBe('a photo of a red circle . ');
  });
});
