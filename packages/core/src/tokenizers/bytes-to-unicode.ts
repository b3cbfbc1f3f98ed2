/**
 * The reversible byte ↔ printable-character table of byte-level BPE.
 * Follows `bytes_to_unicode` in openai/gpt-2 `src/encoder.py` (identical in openai/CLIP
 * `clip/simple_tokenizer.py`): printable Latin-1 bytes map to themselves, the other 68 bytes
 * to U+0100.. in byte order.
 */

let byteToChar: readonly string[] | undefined;
let charToByte: ReadonlyMap<string, number> | undefined;

/** `table[b]` is the one-character string byte `b` becomes (256 entries, in byte order). */
export function bytesToUnicode(): readonly string[] {
  if (byteToChar) return byteToChar;
  const printable = (b: number): boolean =>
    (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
  const table: string[] = new Array<string>(256);
  let n = 0;
  for (let b = 0; b < 256; b++) {
    table[b] = String.fromCharCode(printable(b) ? b : 256 + n++);
  }
  byteToChar = table;
  return table;
}

/** The inverse table: character → byte. */
export function unicodeToBytes(): ReadonlyMap<string, number> {
  if (charToByte) return charToByte;
  charToByte = new Map(bytesToUnicode().map((c, b) => [c, b]));
  return charToByte;
}

/**
 * The vocabulary order CLIP's `SimpleTokenizer` starts from: `list(bytes_to_unicode().values())`,
 * i.e. the printable bytes first (in the order `bs` lists them), then the remapped ones.
 */
export function bytesToUnicodeValuesInDictOrder(): string[] {
  const table = bytesToUnicode();
  const printable: number[] = [];
  const rest: number[] = [];
  for (let b = 0; b < 256; b++) {
    if (table[b]!.charCodeAt(0) === b) printable.push(b);
    else rest.push(b);
  }
  return [...printable, ...rest].map((b) => table[b]!);
}

/** Maps UTF-8 bytes to their byte-level characters. */
export function bytesToSymbols(bytes: Uint8Array): string {
  const table = bytesToUnicode();
  let s = '';
  for (const b of bytes) s += table[b];
  return s;
}
