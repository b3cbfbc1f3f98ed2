import { describe, expect, it } from 'vitest';
import { goldens } from './fixtures/fixture-tokenizers.js';
import { HTML5_ENTITY_COUNT } from './html-entities.js';
import { htmlUnescape } from './html-unescape.js';

describe('htmlUnescape against Python html.unescape', () => {
  it('matches the goldens once and twice', () => {
    for (const x of goldens().html) {
      expect(htmlUnescape(x.text), JSON.stringify(x.text)).toBe(x.once);
      expect(htmlUnescape(htmlUnescape(x.text))).toBe(x.twice);
    }
  });

  it('covers the HTML5 table and its legacy-prefix rule', () => {
    expect(HTML5_ENTITY_COUNT).toBe(2231);
    expect(htmlUnescape('&notin; &notit; &ampx &AMP &lt &nbsp;')).toBe('∉ ¬it; &x & < \u00a0');
    expect(htmlUnescape('&NotNestedGreaterGreater;')).toBe('\u2aa2\u0338');
    expect(htmlUnescape('&#x110000; &#0; &#1; &#65; &#x41 &#X41;')).toBe('\ufffd \ufffd  A A A');
    expect(htmlUnescape('&#99999999999999999999999;')).toBe('\ufffd');
    expect(htmlUnescape('&zzzz; & &# &#x;')).toBe('&zzzz; & &# &#x;');
  });
});
