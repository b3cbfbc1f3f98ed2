/**
 * Splits text around literal special tokens, as Hugging Face's slow tokenizers do for added
 * tokens (`PreTrainedTokenizer.tokenize` with its `Trie`): leftmost match first, the longest
 * token when several start at the same place; text between them is kept (even whitespace).
 */

export type TextPiece =
  | { readonly special: true; readonly text: string }
  | { readonly special: false; readonly text: string };

export class SpecialTokenSplitter {
  private readonly pattern: RegExp | undefined;

  constructor(tokens: readonly string[]) {
    const unique = [...new Set(tokens.filter((t) => t.length > 0))].sort(
      (a, b) => b.length - a.length,
    );
    this.pattern =
      unique.length > 0 ? new RegExp(unique.map(escapeRegExp).join('|'), 'gu') : undefined;
  }

  split(text: string): TextPiece[] {
    if (!this.pattern) return text.length > 0 ? [{ special: false, text }] : [];
    const out: TextPiece[] = [];
    let last = 0;
    for (const m of text.matchAll(this.pattern)) {
      if (m.index > last) out.push({ special: false, text: text.slice(last, m.index) });
      out.push({ special: true, text: m[0] });
      last = m.index + m[0].length;
    }
    if (last < text.length) out.push({ special: false, text: text.slice(last) });
    return out;
  }
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}
