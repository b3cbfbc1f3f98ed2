import { describe, expect, it } from 'vitest';
import { parseCsv } from './csv-table.js';

const fields = (text: string) => parseCsv(text, 'p.csv').map((r) => r.fields);

describe('parseCsv (RFC 4180)', () => {
  it('splits plain fields on commas and LF or CRLF', () => {
    expect(fields('a,b\r\nc,d\n')).toEqual([
      ['a', 'b'],
      ['c', 'd'],
    ]);
    expect(fields('a,,\n')).toEqual([['a', '', '']]);
  });

  it('reads quoted fields with commas, doubled quotes and line breaks; tracks line numbers', () => {
    const rows = parseCsv(
      '\uFEFFimage,caption\n"a.png","a dog, ""happy""\nand wet"\nb.png,x',
      'p.csv',
    );
    expect(rows.map((r) => r.fields)).toEqual([
      ['image', 'caption'],
      ['a.png', 'a dog, "happy"\nand wet'],
      ['b.png', 'x'],
    ]);
    expect(rows.map((r) => r.line)).toEqual([1, 2, 4]);
  });

  it('keeps an empty quoted field and a last line without a newline', () => {
    expect(fields('"",x')).toEqual([['', 'x']]);
  });

  it.each([
    ['a,"open\nno close', 'p.csv: line 1: unterminated quoted field'],
    ['a,b"c\n', `p.csv: line 1: a '"' inside an unquoted field`],
    ['x\n"q"z,1\n', 'p.csv: line 2: unexpected text after a closing quote'],
  ])('refuses malformed CSV %j', (text, message) => {
    expect(() => parseCsv(text, 'p.csv')).toThrow(message);
  });
});
