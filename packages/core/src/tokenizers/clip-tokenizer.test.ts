import { describe, expect, it } from 'vitest';
import { CaptuneError } from '../errors/captune-error.js';
import { clipTokenize } from './clip-tokenize.js';
import { clipBpeText, fixtureClip, goldens } from './fixtures/fixture-tokenizers.js';
import { clipVocabFromBpeText } from './bpe-files.js';

const g = goldens();
const tok = fixtureClip();
const raw = fixtureClip({ fixText: 'none' });
const long = g.clip.at(-1)!.text;

describe('ClipTokenizer against openai/CLIP simple_tokenizer.py', () => {
  it('builds the 49,408-token vocabulary from bpe_simple_vocab_16e6.txt', () => {
    const { vocab, merges } = clipVocabFromBpeText(clipBpeText(), 'bpe');
    expect(vocab.length).toBe(49408);
    expect(merges.length).toBe(48894);
    expect(tok.vocabSize).toBe(49408);
    expect([tok.bosId, tok.eosId, tok.padId]).toEqual([49406, 49407, 0]);
  });

  it.each(g.clip.map((x) => [JSON.stringify(x.text).slice(0, 60), x] as const))(
    'encodes %s id-for-id (ftfy subset)',
    (_n, x) => {
      expect(tok.encode(x.text)).toEqual(x.ids);
      expect(tok.decode(x.ids)).toBe(x.decoded);
    },
  );

  it('matches openai/CLIP without ftfy when fixText is "none"', () => {
    for (const x of g.clip_raw) expect(raw.encode(x.text), JSON.stringify(x.text)).toEqual(x.ids);
  });

  it('uncurls quotes and NFC-normalises like ftfy', () => {
    expect(tok.encode('It’s')).toEqual(tok.encode("it's"));
    expect(raw.encode('It’s')).not.toEqual(raw.encode("it's"));
    expect(tok.encode('cafe\u0301')).toEqual(tok.encode('caf\u00e9'));
  });

  it('clip.tokenize(truncate=True) rows match for several context lengths', () => {
    for (const c of g.clip_tokenize) {
      expect(
        clipTokenize(tok, c.texts, { contextLength: c.contextLength, truncate: true }),
      ).toEqual(c.rows);
      c.texts.forEach((t, i) =>
        expect(tok.encodeForModel(t, { contextLength: c.contextLength })).toEqual(c.rows[i]),
      );
    }
  });

  it('clip.tokenize(truncate=False) names the too-long text', () => {
    expect(() => clipTokenize(tok, ['a cat', long + ' ' + long])).toThrow(CaptuneError);
    expect(() => clipTokenize(tok, [long + ' ' + long])).toThrow(
      /^input "A man in a red jacket.*" is too long for context length 77 \(\d+ tokens\)$/,
    );
    expect(clipTokenize(tok, ['a cat'])[0]).toHaveLength(77);
  });

  it('encodeForModel adds start and end tokens', () => {
    expect(tok.encodeForModel('a cat')).toEqual([49406, ...tok.encode('a cat'), 49407]);
    expect(tok.tokens(tok.encode('a photo'))).toEqual(['a</w>', 'photo</w>']);
  });
});
