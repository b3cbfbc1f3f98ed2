"""Golden outputs for captune's GPT-2 and CLIP tokenizers, from transcriptions of the references:
- openai/gpt-2 src/encoder.py (Encoder.bpe/encode/decode), plus Hugging Face GPT2Tokenizer's
  splitting of the added token <|endoftext|> before BPE;
- openai/CLIP clip/simple_tokenizer.py (SimpleTokenizer) and clip/clip.py (tokenize). ftfy is not
  installed here: "clip_raw" skips ftfy.fix_text; "clip" applies the subset captune implements
  (uncurl quotes + NFC, see src/tokenizers/ftfy-subset.ts);
- Python's html.unescape and bytes.decode('utf-8', errors='replace').

Run from the repository root: python3 packages/core/scripts/tokenizer-goldens.py
Writes packages/core/src/tokenizers/fixtures/goldens.json. Needs the `regex` module.
"""
import gzip
import html
import json
import os
import re as stdre
import unicodedata

import regex as re

HERE = os.path.dirname(os.path.abspath(__file__))
VOCAB = os.path.join(HERE, '..', 'fixtures', 'vocab')
OUT = os.path.join(HERE, '..', 'src', 'tokenizers', 'fixtures', 'goldens.json')


def bytes_to_unicode():
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(2**8):
        if b not in bs:
            bs.append(b)
            cs.append(2**8 + n)
            n += 1
    return dict(zip(bs, [chr(c) for c in cs]))


def get_pairs(word):
    return {(word[i], word[i + 1]) for i in range(len(word) - 1)}


def bpe_merge(word, ranks):
    pairs = get_pairs(word)
    if not pairs:
        return word
    while True:
        bigram = min(pairs, key=lambda pair: ranks.get(pair, float('inf')))
        if bigram not in ranks:
            break
        first, second = bigram
        new_word = []
        i = 0
        while i < len(word):
            try:
                j = word.index(first, i)
                new_word.extend(word[i:j])
                i = j
            except ValueError:
                new_word.extend(word[i:])
                break
            if word[i] == first and i < len(word) - 1 and word[i + 1] == second:
                new_word.append(first + second)
                i += 2
            else:
                new_word.append(word[i])
                i += 1
        word = tuple(new_word)
        if len(word) == 1:
            break
        pairs = get_pairs(word)
    return word


class Gpt2:
    pat = re.compile(r"""'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+""")

    def __init__(self):
        with open(os.path.join(VOCAB, 'encoder.json')) as f:
            self.encoder = json.load(f)
        self.decoder = {v: k for k, v in self.encoder.items()}
        with open(os.path.join(VOCAB, 'vocab.bpe'), encoding='utf-8') as f:
            merges = [tuple(m.split()) for m in f.read().split('\n')[1:-1]]
        self.ranks = dict(zip(merges, range(len(merges))))
        self.byte_encoder = bytes_to_unicode()
        self.byte_decoder = {v: k for k, v in self.byte_encoder.items()}

    def encode_plain(self, text):  # encoder.py
        ids = []
        for token in re.findall(self.pat, text):
            token = ''.join(self.byte_encoder[b] for b in token.encode('utf-8'))
            ids.extend(self.encoder[t] for t in bpe_merge(tuple(token), self.ranks))
        return ids

    def encode(self, text):  # HF GPT2Tokenizer: <|endoftext|> split off first
        ids = []
        for i, piece in enumerate(text.split('<|endoftext|>')):
            if i > 0:
                ids.append(self.encoder['<|endoftext|>'])
            if piece:
                ids.extend(self.encode_plain(piece))
        return ids

    def decode(self, ids):
        text = ''.join(self.decoder[i] for i in ids)
        return bytearray([self.byte_decoder[c] for c in text]).decode('utf-8', errors='replace')


def ftfy_subset(text):
    text = stdre.sub('[\u02bc\u2018-\u201b]', "'", text)
    text = stdre.sub('[\u201c-\u201f]', '"', text)
    return unicodedata.normalize('NFC', text)


class Clip:
    pat = re.compile(r"""<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+""", re.IGNORECASE)

    def __init__(self):
        self.byte_encoder = bytes_to_unicode()
        self.byte_decoder = {v: k for k, v in self.byte_encoder.items()}
        merges = gzip.open(os.path.join(VOCAB, 'bpe_simple_vocab_16e6.txt.gz')).read().decode('utf-8').split('\n')
        merges = merges[1:49152 - 256 - 2 + 1]
        merges = [tuple(m.split()) for m in merges]
        vocab = list(bytes_to_unicode().values())
        vocab = vocab + [v + '</w>' for v in vocab]
        for m in merges:
            vocab.append(''.join(m))
        vocab.extend(['<|startoftext|>', '<|endoftext|>'])
        self.encoder = dict(zip(vocab, range(len(vocab))))
        self.decoder = {v: k for k, v in self.encoder.items()}
        self.ranks = dict(zip(merges, range(len(merges))))
        self.specials = {'<|startoftext|>', '<|endoftext|>'}

    def bpe(self, token):
        if token in self.specials:
            return [token]
        return bpe_merge(tuple(token[:-1]) + (token[-1] + '</w>',), self.ranks)

    def clean(self, text, fix):
        text = fix(text)
        text = html.unescape(html.unescape(text)).strip()
        return re.sub(r'\s+', ' ', text).strip().lower()

    def encode(self, text, fix):
        ids = []
        for token in re.findall(self.pat, self.clean(text, fix)):
            token = ''.join(self.byte_encoder[b] for b in token.encode('utf-8'))
            ids.extend(self.encoder[t] for t in self.bpe(token))
        return ids

    def decode(self, ids):
        text = ''.join(self.decoder[i] for i in ids)
        return bytearray([self.byte_decoder[c] for c in text]).decode('utf-8', errors='replace').replace('</w>', ' ')

    def tokenize(self, texts, context_length=77, truncate=False):
        sot, eot = self.encoder['<|startoftext|>'], self.encoder['<|endoftext|>']
        rows = []
        for text in texts:
            tokens = [sot] + self.encode(text, ftfy_subset) + [eot]
            if len(tokens) > context_length:
                if not truncate:
                    raise RuntimeError(f'Input {text} is too long for context length {context_length}')
                tokens = tokens[:context_length]
                tokens[-1] = eot
            rows.append(tokens + [0] * (context_length - len(tokens)))
        return rows


LONG = ('A man in a red jacket rides a bicycle down a busy city street past a row of parked cars, '
        'while pedestrians with umbrellas wait at the crosswalk and a yellow taxi turns left at the '
        'intersection under a cloudy grey sky, next to a bakery whose window displays loaves of bread, '
        'croissants, cakes and a handwritten sign announcing the daily specials for the afternoon.')

TEXTS = [
    '', ' ', '  ', '\t', '\n', 'a', 'A', 'hello world', 'Hello World', 'Hello, world!',
    'A dog running on the beach.', 'two cats sleeping on a couch', 'a photo of a cat',
    'A group of people standing around a table with food.', 'An airplane flying over the ocean at sunset',
    "don't", "DON'T", "Don't stop", "it's", "IT'S", "we're", "WE'RE", "I've", "I'm", "you'll", "he'd",
    "'s 't 're 've 'm 'll 'd", "x'ſ", "<|ſtartoftext|>", "rock'n'roll", "o'clock", "'quoted'", '"double"',
    'It’s a dog’s life', '“Quoted” text', '‘single’', 'caf\u00e9', 'cafe\u0301', 'Cafe\u0301 Noe\u0308l',
    'naïve résumé', 'Ångström', 'straße STRASSE', 'İstanbul', 'ΟΔΥΣΣΕΥΣ', 'Σ', 'ǅungla', 'ﬁne ﬂour', 'ｆｕｌｌｗｉｄｔｈ',
    'a\u0345b', 'ⅠⅡⅢ ⅰ', '１２３', '²³', '½ cup', '0', '7', '42', '3.14159', '1,000,000', '2023-10-05', '$100', '100%',
    'call 555-1234', 'room 101b', 'abc123def', 'v2.0.1',
    'hello  world', 'hello   world', 'hello\tworld', 'hello\nworld', 'hello\r\nworld', 'line1\n\nline2',
    'trailing space ', 'trailing spaces   ', '  leading', '\n\nnewlines\n\n', ' \t \n mixed \t\n',
    'a\u00a0b', 'a\u2003b', 'a\u3000b', 'a\u0085b', 'a\u001cb', 'a\u001fb', '\u001ca\u001d', 'a\ufeffb', '\ufeffbom',
    'a \u0085 b', 'a \u0085\u0085b', 'x \u001c\u001c y', 'a \ufeffb', 'a\ufeff \ufeff', ' \u0085', '\u0085 ', 'a  \u001fb',
    'a\u200bb', 'a\u2028b', 'a\u180eb', 'a\u000bb', 'a\u000cb', 'x\u0085', '\u0085x\u0085',
    '...', '!!!', '?!', '--', '—', 'a—b', '(parenthesised)', '[brackets] {braces}', '@user #hashtag',
    'email@example.com', 'https://example.com/path?q=1&r=2', 'C:\\path\\to\\file', 'a/b/c', '*** ___ ~~~',
    '日本語のテキスト', '中文字符', '한국어 텍스트', 'Привет, мир!', 'مرحبا بالعالم', 'שלום עולם', 'हिन्दी', 'ภาษาไทย',
    '😀', 'I love 🍕 and 🍣!', '👍🏽', '👨‍👩‍👧‍👦 family', '🇫🇷🇯🇵', '🏳️‍🌈', '❤️', 'a😀b', '🙂🙂🙂',
    '&amp;', '&lt;b&gt;bold&lt;/b&gt;', 'Tom &amp; Jerry', '&amp;amp;', '&amp;amp;amp;', '&quot;hi&quot;', '&#39;',
    '&#x27;s', '&#8217;', '&copy; 2024', '&nbsp;x', '&notit;', '&ampx', '&unknown;', '&#128512;', '&#x1F600;',
    '&#0;', '&#128;', '&#x80;', '&#xD800;', '&#1114112;', '&#65534;', '&#13;', '&#x7f;', '&eacute&', 'AT&T', 'a & b',
    '<|endoftext|>', 'hello<|endoftext|>world', 'a <|endoftext|> b', '<|endoftext|><|endoftext|>',
    '<|startoftext|>', '<|STARTOFTEXT|> hi', 'x<|endoftext|>', '</w>', 'a</w>b',
    'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', 'supercalifragilisticexpialidocious', 'antidisestablishmentarianism',
    LONG, LONG + ' ' + LONG,
]

# Byte strings for decode with errors='replace' (truncated / invalid UTF-8).
BAD_BYTES = [
    b'', b'abc', b'\xe2\x82', b'\xe2\x82\xac', b'\xe2\x82x', b'\xf0\x9f\x98', b'\xf0\x9f\x98\x80', b'\xf0\x9f',
    b'\xf0', b'\x80', b'\xbf\x80', b'\xc0\xaf', b'\xc1\xbf', b'\xe0\x80\x80', b'\xed\xa0\x80', b'\xed\x9f\xbf',
    b'\xf4\x90\x80\x80', b'\xf5\x80', b'\xff', b'\xfe\xff', b'a\xffb', b'\xef\xbb\xbfBOM', b'\xc3', b'\xc3(',
    b'\xe2(\xa1', b'\xf0(\x8c\xbc', b'\xf8\x88\x80\x80\x80', b'\xe1\x80\xe2\xf0\x91\x92\xf1\xbf\x41',
    b'\x61\xf1\x80\x80\xe1\x80\xc2\x62\x80\x63\x80\xbf\x64',
]


def main():
    gpt2 = Gpt2()
    clip = Clip()
    out = {'gpt2': [], 'gpt2_plain': [], 'clip': [], 'clip_raw': [], 'clip_tokenize': [], 'html': [], 'utf8': []}
    for text in TEXTS:
        ids = gpt2.encode(text)
        assert gpt2.decode(ids) == text, text
        out['gpt2'].append({'text': text, 'ids': ids})
        if '<|endoftext|>' in text:
            out['gpt2_plain'].append({'text': text, 'ids': gpt2.encode_plain(text)})
        cids = clip.encode(text, ftfy_subset)
        out['clip'].append({'text': text, 'ids': cids, 'decoded': clip.decode(cids)})
        out['clip_raw'].append({'text': text, 'ids': clip.encode(text, lambda t: t)})
        out['html'].append({'text': text, 'once': html.unescape(text), 'twice': html.unescape(html.unescape(text))})
    for n in (77, 8, 1):
        texts = [t for t in TEXTS if t][:40] + [LONG, LONG + ' ' + LONG]
        out['clip_tokenize'].append({'contextLength': n, 'texts': texts, 'rows': clip.tokenize(texts, n, truncate=True)})
    try:
        clip.tokenize([LONG + ' ' + LONG], 77, truncate=False)
        raise AssertionError('expected too long')
    except RuntimeError:
        pass
    for b in BAD_BYTES:
        out['utf8'].append({'bytes': list(b), 'text': b.decode('utf-8', errors='replace')})
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, 'w', encoding='ascii') as f:
        json.dump(out, f, ensure_ascii=True, separators=(',', ':'))
        f.write('\n')
    print('wrote', OUT, {k: len(v) for k, v in out.items()})


if __name__ == '__main__':
    main()
