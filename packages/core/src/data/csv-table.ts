/**
 * An RFC 4180 CSV parser: comma-separated fields, CRLF or LF record ends, fields in double
 * quotes may hold commas, line breaks and doubled quotes (`""` → `"`). A leading UTF-8 BOM and
 * a final line break are ignored. Strict where the RFC is: a quote inside an unquoted field, text
 * after a closing quote, and an unterminated quoted field are one-line errors naming the line.
 */
import { CaptuneError } from '../errors/captune-error.js';

export interface CsvRow {
  readonly fields: string[];
  /** 1-based line number where the row starts. */
  readonly line: number;
}

export function parseCsv(text: string, file: string): CsvRow[] {
  const rows: CsvRow[] = [];
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  const n = text.length;
  while (i < n) {
    const start = line;
    const fields: string[] = [];
    for (;;) {
      let value = '';
      if (text[i] === '"') {
        const open = line;
        i++;
        for (;;) {
          if (i >= n)
            throw new CaptuneError(
              `${file}: line ${open}: unterminated quoted field (a '"' opens it but none closes it)`,
            );
          const c = text[i]!;
          if (c === '"') {
            if (text[i + 1] === '"') {
              value += '"';
              i += 2;
              continue;
            }
            i++;
            break;
          }
          if (c === '\n') line++;
          value += c;
          i++;
        }
        const next = text[i];
        if (next !== undefined && next !== ',' && next !== '\n' && next !== '\r')
          throw new CaptuneError(
            `${file}: line ${line}: unexpected text after a closing quote (quote the whole field and double inner quotes)`,
          );
      } else {
        let j = i;
        while (j < n && text[j] !== ',' && text[j] !== '\n' && text[j] !== '\r') j++;
        value = text.slice(i, j);
        if (value.includes('"'))
          throw new CaptuneError(
            `${file}: line ${line}: a '"' inside an unquoted field (quote the field and double the quote: "say ""hi""")`,
          );
        i = j;
      }
      fields.push(value);
      if (text[i] === ',') {
        i++;
        continue;
      }
      if (text[i] === '\r') i++;
      if (text[i] === '\n') {
        i++;
        line++;
      }
      break;
    }
    rows.push({ fields, line: start });
  }
  return rows;
}
