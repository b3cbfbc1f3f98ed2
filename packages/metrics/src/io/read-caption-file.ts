/** Node helpers: read and parse a references / results JSON file, with one-line errors. */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { CaptuneError } from '@captune/core';
import { parseReferences, type References } from './read-references.js';
import { parseResults, type Candidates } from './read-results.js';

async function readJson(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new CaptuneError(
      `${path}: cannot read file (${(e as NodeJS.ErrnoException).code ?? String(e)})`,
      { cause: e },
    );
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new CaptuneError(`${basename(path)}: not valid JSON (${(e as Error).message})`, {
      cause: e,
    });
  }
}

export async function readReferencesFile(path: string): Promise<References> {
  return parseReferences(await readJson(path), basename(path));
}

export async function readResultsFile(path: string): Promise<Candidates> {
  return parseResults(await readJson(path), basename(path));
}
