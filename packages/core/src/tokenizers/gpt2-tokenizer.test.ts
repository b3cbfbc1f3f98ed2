import { describe, expect, it } from 'vitest';
import { CaptuneError } from '../errors/captune-error.js';
import { bytesToUnicode } from './bytes-to-unicode.js';
import { fixtureGpt2, goldens } from './fixtures/fixture-tokenizers.js';
import { Gpt2Tokenizer } from './gpt2-tokenizer.js';

const g = goldens();
const tok = fixtureGpt2();

describe('Gpt2Tokenizer against openai/gpt-2 encoder.py + HF special-token splitting', () => {
  it('has the GPT-2 vocabulary and special ids', () => {
    expect(tok.vocabSize).toBe(50257);
    expect([tok.bosId, tok.eosId, tok.padId]).toEqual([50256, 50256, 50256]);
    expect(g.gpt2.length).toBeGreaterThan(150);
  });

  it.each(g.gpt2.map((x) => [JSON.stringify(x.text).slice(0, 60), x] as const))(
    'encodes %s id-for-id',
    (_n, x) => {
      expect(tok.encode(x.text)).toEqual(x.ids);
      expect(tok.decode(x.ids)).toBe(x.text);
      expect(tok.encodeForModel(x.text)).toEqual(x.ids);
    },
  );

  it('with specialTokens: [] encodes <|endoftext|> as plain text, like encoder.py', () => {
    const plain = fixtureGpt2({ specialTokens: [] });
    expect(g.gpt2_plain.length).toBeGreaterThan(3);
    for (const x of g.gpt2_plain) expect(plain.encode(x.text)).toEqual(x.ids);
    expect(tok.encode('<|endoftext|>')).toEqual([50256]);
    expect(plain.encode('<|endoftext|>')).not.toEqual([50256]);
  });

  it('decodes invalid UTF-8 like Python bytes.decode(errors="replace")', () => {
    const table = bytesToUnicode();
    for (const x of g.utf8) {
      const ids = x.bytes.map((b) => tok.tokenToId(table[b]!)!);
      expect(tok.decode(ids)).toBe(x.text);
    }
  });

  it('gives the vocabulary spelling of tokens', () => {
    const ids = tok.encode('Hello world');
    expect(tok.tokens(ids)).toEqual(['Hello', 'Ġworld']);
  });

  it('pads and truncates with encodeForModel contextLength', () => {
    const ids = tok.encode('a dog on the beach');
    expect(tok.encodeForModel('a dog on the beach', { contextLength: 8 })).toEqual([
      ...ids,
      ...Array(8 - ids.length).fill(50256),
    ]);
    expect(tok.encodeForModel('a dog on the beach', { contextLength: 2 })).toEqual(ids.slice(0, 2));
    expect(() => tok.encodeForModel('x', { contextLength: 0 })).toThrow(CaptuneError);
  });

  it('rejects unknown ids and lone surrogates with CaptuneError', () => {
    expect(() => tok.decode([50257])).toThrow(/token id 50257 is not in the vocabulary/);
    expect(() => tok.encode('a\uD800b')).toThrow(/lone surrogate U\+D800 at index 1/);
  });

  it('works with a tiny vocabulary and maps unknown symbols to the unk token', () => {
    const vocab: [string, number][] = [
      ['a', 0],
      ['b', 1],
      ['ab', 2],
      ['Ġ', 3],
      ['Ġab', 4],
      ['<|endoftext|>', 5],
    ];
    const t = new Gpt2Tokenizer({
      vocab,
      merges: [
        ['a', 'b'],
        ['Ġ', 'ab'],
      ],
    });
    expect(t.encode('ab ab')).toEqual([2, 4]);
    expect(t.encode('abc')).toEqual([2, 5]);
    expect(() => new Gpt2Tokenizer({ vocab: [['a', 0]], merges: [] })).toThrow(
      /end-of-text token "<\|endoftext\|>" is not in the vocabulary/,
    );
  });
});
