/**
 * The deterministic part of `ftfy.fix_text` (rspeer/python-ftfy, v6 defaults) that openai/CLIP's
 * `basic_clean` runs first: `uncurl_quotes` (U+02BC, U+2018–U+201B → `'`; U+201C–U+201F → `"`)
 * and NFC normalization.
 *
 * NOT replicated (they need ftfy's heuristics and tables): mojibake repair (`fix_encoding`,
 * `decode_inconsistent_utf8`, `replace_lossy_sequences`, `restore_byte_a0`), `fix_c1_controls`,
 * `fix_latin_ligatures` (ﬁ → fi), `fix_character_width` (fullwidth → ASCII),
 * `remove_terminal_escapes`, `remove_control_chars`, `fix_surrogates`, `fix_line_breaks`
 * (irrelevant: CLIP collapses whitespace afterwards), and ftfy's own `unescape_html` (CLIP
 * unescapes twice itself). Text with these problems tokenizes as openai/CLIP would without ftfy.
 */

const SINGLE_QUOTES = /[\u02bc\u2018-\u201b]/g;
const DOUBLE_QUOTES = /[\u201c-\u201f]/g;

export function ftfySubset(text: string): string {
  return text.replace(SINGLE_QUOTES, "'").replace(DOUBLE_QUOTES, '"').normalize('NFC');
}
