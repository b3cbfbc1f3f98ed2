import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CaptuneError } from '../errors/captune-error.js';
import { clipVocabFromBpeText } from '../tokenizers/bpe-files.js';
import { clipBpeText, goldens, VOCAB_DIR } from '../tokenizers/fixtures/fixture-tokenizers.js';
import { loadTokenizer } from './tokenizer-folder.js';

const root = mkdtempSync(join(tmpdir(), 'captune-tok-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const g = goldens();
const samples = [3, 20, 40, 60, 100, 130, 150, 160, 171].map((i) => i % g.gpt2.length);

function folder(name: string, files: Record<string, string | { copy: string }>): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  for (const [file, content] of Object.entries(files)) {
    if (typeof content === 'string') writeFileSync(join(dir, file), content);
    else copyFileSync(join(VOCAB_DIR, content.copy), join(dir, file));
  }
  return dir;
}

const clip = clipVocabFromBpeText(clipBpeText(), 'bpe');
const clipVocabJson = JSON.stringify(Object.fromEntries(clip.vocab));
const clipMergesTxt = `#version: 0.2\n${clip.merges.map((m) => m.join(' ')).join('\n')}\n`;

function expectGpt2(dir: string): void {
  const t = loadTokenizer(dir);
  expect(t.kind).toBe('gpt2');
  for (const i of samples) expect(t.encode(g.gpt2[i]!.text)).toEqual(g.gpt2[i]!.ids);
}

function expectClip(dir: string): void {
  const t = loadTokenizer(dir);
  expect(t.kind).toBe('clip');
  for (const i of samples) expect(t.encode(g.clip[i]!.text)).toEqual(g.clip[i]!.ids);
}

describe('loadTokenizer', () => {
  it('reads the OpenAI GPT-2 files (encoder.json + vocab.bpe)', () => {
    expectGpt2(
      folder('openai-gpt2', {
        'encoder.json': { copy: 'encoder.json' },
        'vocab.bpe': { copy: 'vocab.bpe' },
      }),
    );
  });

  it('reads a Hugging Face GPT-2 folder (vocab.json + merges.txt + config)', () => {
    expectGpt2(
      folder('hf-gpt2', {
        'vocab.json': { copy: 'encoder.json' },
        'merges.txt': { copy: 'vocab.bpe' },
        'config.json': '{"model_type": "gpt2"}',
        'tokenizer_config.json':
          '{"tokenizer_class": "GPT2Tokenizer", "eos_token": "<|endoftext|>", "pad_token": null}',
      }),
    );
  });

  it('reads openai/CLIP bpe_simple_vocab_16e6.txt.gz', () => {
    expectClip(
      folder('openai-clip', {
        'bpe_simple_vocab_16e6.txt.gz': { copy: 'bpe_simple_vocab_16e6.txt.gz' },
      }),
    );
  });

  it('reads a Hugging Face CLIP folder, detected from </w> tokens or tokenizer_class', () => {
    expectClip(folder('hf-clip', { 'vocab.json': clipVocabJson, 'merges.txt': clipMergesTxt }));
    expectClip(
      folder('hf-clip-cfg', {
        'vocab.json': clipVocabJson,
        'merges.txt': clipMergesTxt,
        'tokenizer_config.json': '{"tokenizer_class": "CLIPTokenizer"}',
      }),
    );
  });

  it('reads tokenizer.json for GPT-2 (string merges) and CLIP ([a, b] merges)', async () => {
    const { readFileSync } = await import('node:fs');
    const gptVocab = JSON.parse(readFileSync(join(VOCAB_DIR, 'encoder.json'), 'utf8')) as Record<
      string,
      number
    >;
    const gptMerges = readFileSync(join(VOCAB_DIR, 'vocab.bpe'), 'utf8')
      .split('\n')
      .slice(1)
      .filter((l) => l !== '');
    const gptJson = {
      added_tokens: [{ id: 50256, content: '<|endoftext|>', special: true }],
      model: { type: 'BPE', vocab: gptVocab, merges: gptMerges },
    };
    expectGpt2(folder('tj-gpt2', { 'tokenizer.json': JSON.stringify(gptJson) }));
    const clipJson = {
      model: {
        type: 'BPE',
        vocab: Object.fromEntries(clip.vocab),
        merges: clip.merges,
        end_of_word_suffix: '</w>',
      },
    };
    expectClip(folder('tj-clip', { 'tokenizer.json': JSON.stringify(clipJson) }));
  });

  it.each([
    ['missing folder', () => join(root, 'nope'), /nope: no such folder$/],
    [
      'empty folder',
      () => folder('empty', {}),
      /empty: no tokenizer files found \(looked for vocab\.json \+ merges\.txt, tokenizer\.json, encoder\.json \+ vocab\.bpe, bpe_simple_vocab_16e6\.txt\.gz\)$/,
    ],
    [
      'half a pair',
      () => folder('half', { 'vocab.json': '{}' }),
      /half: vocab\.json is there but merges\.txt is missing$/,
    ],
    [
      'bad merges line',
      () =>
        folder('badmerge', {
          'vocab.json': '{"a": 0, "<|endoftext|>": 1}',
          'merges.txt': `#version: 0.2\n${'a b\n'.repeat(15)}abc\n`,
        }),
      /badmerge\/merges\.txt: line 17: expected two space-separated symbols, got "abc"$/,
    ],
    [
      'vocab not an object',
      () => folder('arr', { 'vocab.json': '[1,2]', 'merges.txt': '' }),
      /arr\/vocab\.json: expected an object mapping token strings to integer ids$/,
    ],
    [
      'vocab bad id',
      () => folder('badid', { 'vocab.json': '{"a": 1.5}', 'merges.txt': '' }),
      /badid\/vocab\.json: expected an object mapping token strings to integer ids \(.* at "a"\)$/,
    ],
    [
      'vocab not JSON',
      () => folder('notjson', { 'vocab.json': '{oops', 'merges.txt': '' }),
      /notjson\/vocab\.json: not valid JSON/,
    ],
    [
      'duplicate ids',
      () => folder('dup', { 'vocab.json': '{"a": 0, "b": 0}', 'merges.txt': '' }),
      /dup\/vocab\.json: id 0 is used by both "a" and "b"$/,
    ],
    [
      'bad gzip',
      () => folder('badgz', { 'bpe_simple_vocab_16e6.txt.gz': 'not gzip' }),
      /badgz\/bpe_simple_vocab_16e6\.txt\.gz: not a valid gzip file/,
    ],
    [
      'WordPiece',
      () =>
        folder('wp', {
          'tokenizer.json': '{"model": {"type": "WordPiece", "vocab": {}, "merges": []}}',
        }),
      /wp\/tokenizer\.json: model\.type is "WordPiece"; captune reads BPE tokenizers only/,
    ],
    [
      'no eos',
      () => folder('noeos', { 'vocab.json': '{"a": 0}', 'merges.txt': '#version: 0.2\n' }),
      /noeos\/vocab\.json: the end-of-text token "<\|endoftext\|>" is not in the vocabulary$/,
    ],
    [
      'bad config',
      () =>
        folder('badcfg', {
          'vocab.json': '{"a": 0}',
          'merges.txt': '',
          'tokenizer_config.json': '{"tokenizer_class": 3}',
        }),
      /badcfg\/tokenizer_config\.json: .* at tokenizer_class$/,
    ],
  ])('%s → one-line CaptuneError naming the file', (_name, make, message) => {
    const dir = make();
    let error: unknown;
    try {
      loadTokenizer(dir);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CaptuneError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain('\n');
  });
});
