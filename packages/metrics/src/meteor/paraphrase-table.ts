/**
 * METEOR's `ParaphraseTransducer`: the paraphrase table (`paraphrase-en.gz`) as a trie over
 * reference phrases whose nodes emit paraphrase indices. File format (gzip, UTF-8): records of
 * three lines — a probability (ignored by METEOR), a phrase, its paraphrase — tokens separated by
 * whitespace. Words are mapped to ids in first-seen order; an unknown word translates to -1.
 */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import type { Readable } from 'node:stream';
import { CaptuneError } from '@captune/core';

class TrieState {
  readonly trans = new Map<number, TrieState>();
  emit: number[] = [];
}

export class ParaphraseTable {
  private readonly root = new TrieState();
  private readonly paraphrases: number[][] = [];
  private readonly vocab = new Map<string, number>();

  get size(): number {
    return this.paraphrases.length;
  }

  /** Adds one record (reference phrase → paraphrase), as the Java loader does per triple of lines. */
  add(reference: string, paraphrase: string): void {
    const ref = tokens(reference).map((w) => this.map(w));
    const par = tokens(paraphrase).map((w) => this.map(w));
    let s = this.root;
    for (const w of ref) {
      let next = s.trans.get(w);
      if (next === undefined) s.trans.set(w, (next = new TrieState()));
      s = next;
    }
    s.emit.push(this.paraphrases.length);
    this.paraphrases.push(par);
  }

  translate(word: string): number {
    return this.vocab.get(word) ?? -1;
  }

  /** `getReferencePaths`: [length, paraphraseIndex] pairs for phrases starting at `start`, shortest first. */
  referencePaths(words: readonly number[], start: number): [number, number][] {
    const out: [number, number][] = [];
    let s: TrieState | undefined = this.root;
    for (let i = 0; i < words.length - start; i++) {
      s = s.trans.get(words[start + i]!);
      if (s === undefined) break;
      for (const j of s.emit) out.push([i + 1, j]);
    }
    return out;
  }

  paraphrase(index: number): readonly number[] {
    return this.paraphrases[index]!;
  }

  private map(word: string): number {
    let id = this.vocab.get(word);
    if (id === undefined) this.vocab.set(word, (id = this.vocab.size));
    return id;
  }

  /** Parses the three-line record text (already decompressed). */
  static fromText(text: string, source = 'paraphrase table'): ParaphraseTable {
    const table = new ParaphraseTable();
    const lines = text.split(/\r?\n/);
    if (lines.at(-1) === '') lines.pop();
    for (let i = 0; i < lines.length; i += 3) table.addRecord(lines, i, source);
    return table;
  }

  /** Streams a gzip (or plain) paraphrase file such as METEOR's `data/paraphrase-en.gz`. */
  static async load(path: string): Promise<ParaphraseTable> {
    const handle = await open(path).catch((err: Error) => {
      throw new CaptuneError(`paraphrase table ${path}: cannot open (${err.message})`, { cause: err });
    });
    const magic = Buffer.alloc(2);
    await handle.read(magic, 0, 2, 0);
    await handle.close();
    let input: Readable = createReadStream(path);
    if (magic[0] === 0x1f && magic[1] === 0x8b) input = input.pipe(createGunzip());
    const table = new ParaphraseTable();
    const pending: string[] = [];
    let lineNo = 0;
    try {
      for await (const line of createInterface({ input, crlfDelay: Infinity })) {
        pending.push(line);
        lineNo++;
        if (pending.length === 3) {
          table.addRecord(pending, 0, path, lineNo - 2);
          pending.length = 0;
        }
      }
    } catch (err) {
      throw new CaptuneError(`paraphrase table ${path}: cannot read (${(err as Error).message})`, { cause: err });
    }
    if (pending.length !== 0) table.addRecord(pending, 0, path, lineNo - pending.length + 1);
    return table;
  }

  /** Adds the record at `lines[i..i+2]`; `lineNo` is its 1-based first line in the file. */
  private addRecord(lines: readonly string[], i: number, source: string, lineNo = i + 1): void {
    const [prob, ref, par] = [lines[i], lines[i + 1], lines[i + 2]];
    if (ref === undefined || par === undefined) {
      throw new CaptuneError(`${source}: truncated record at line ${lineNo} (expected probability, phrase, paraphrase lines)`);
    }
    if (prob === undefined || Number.isNaN(Number(prob.trim())) || prob.trim() === '') {
      throw new CaptuneError(`${source}: line ${lineNo} should be a probability, got "${String(prob).slice(0, 40)}"`);
    }
    this.add(ref, par);
  }
}

function tokens(s: string): string[] {
  return s.split(/[ \t\n\r\f]+/).filter((t) => t !== '');
}
