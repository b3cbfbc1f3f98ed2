/**
 * SPICE 1.0 through the official jar, as pycocoevalcap's `spice/spice.py` runs it:
 * `java -jar -Xmx8G spice-1.0.jar IN.json -cache CACHE -out OUT.json -subset -silent` (cwd = the
 * jar's directory) on `[{"image_id", "test", "refs"}]` sorted by image id; per-image score =
 * `scores.All.f` (float(), "NaN" → NaN), corpus = np.mean of those (so any NaN makes it NaN).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { z } from 'zod';
import { CaptuneError } from '@captune/core';

export interface SpiceOptions {
  /** Path to the official `spice-1.0.jar` (with its `lib/` beside it). */
  jarPath?: string;
  /** Java launcher; default `java` on PATH. */
  javaPath?: string;
  /** SPICE parse cache directory; default `cache/` beside the jar, as pycocoevalcap does. */
  cacheDir?: string;
  /** Java heap flag; default `-Xmx8G` as pycocoevalcap. */
  maxHeap?: string;
}

export interface SpiceResult {
  corpus: number;
  perImage: Record<string, number>;
  label: 'SPICE';
}

const REMEDY =
  'give --spice-jar PATH to the official SPICE 1.0 jar (it needs Java 8+ and Stanford CoreNLP models it downloads on first run)';

/** SPICE cannot run here; `reason` says why. */
export class SpiceUnavailableError extends CaptuneError {
  constructor(readonly reason: string) {
    super(`SPICE unavailable: ${reason}; ${REMEDY}`);
    this.name = 'SpiceUnavailableError';
  }
}

const scoreValue = z.union([z.number(), z.string()]);
const outputSchema = z.array(
  z.object({
    image_id: z.union([z.string(), z.number()]),
    scores: z.looseObject({ All: z.looseObject({ f: scoreValue }) }),
  }),
);

/** Python `float()` of a JSON value as spice.py's `float_convert` does (failures → NaN). */
function floatConvert(v: number | string): number {
  if (typeof v === 'number') return v;
  const s = v.trim().toLowerCase();
  if (s === 'nan' || s === '+nan' || s === '-nan') return NaN;
  if (/^[+-]?(inf|infinity)$/.test(s)) return s.startsWith('-') ? -Infinity : Infinity;
  const n = Number(s.replaceAll('_', ''));
  return s === '' || Number.isNaN(n) ? NaN : n;
}

/** Image ids that are integers are sent as JSON numbers, like COCO's int keys in pycocoevalcap. */
function jsonId(id: string): string | number {
  return /^(0|[1-9][0-9]*)$/.test(id) && Number.isSafeInteger(Number(id)) ? Number(id) : id;
}

function sortIds(ids: string[]): string[] {
  const numeric = ids.every((id) => typeof jsonId(id) === 'number');
  return numeric ? [...ids].sort((a, b) => Number(a) - Number(b)) : [...ids].sort();
}

export function buildSpiceInput(refs: Record<string, string[]>, cands: Record<string, string>): { image_id: string | number; test: string; refs: string[] }[] {
  const refIds = Object.keys(refs);
  for (const id of refIds) {
    if (!(id in cands)) throw new CaptuneError(`SPICE: reference image "${id}" has no candidate caption`);
    if (!Array.isArray(refs[id]) || refs[id]!.length === 0) throw new CaptuneError(`SPICE: image "${id}" needs at least one reference`);
  }
  for (const id of Object.keys(cands)) {
    if (!(id in refs)) throw new CaptuneError(`SPICE: candidate image "${id}" has no references`);
  }
  return sortIds(refIds).map((id) => ({ image_id: jsonId(id), test: cands[id]!, refs: refs[id]! }));
}

export function spiceArgs(jarPath: string, inFile: string, outFile: string, cacheDir: string, maxHeap = '-Xmx8G'): string[] {
  return ['-jar', maxHeap, jarPath, inFile, '-cache', cacheDir, '-out', outFile, '-subset', '-silent'];
}

/** Parses SPICE's output JSON text; `source` names the file in errors. */
export function parseSpiceOutput(text: string, source: string, expectedIds: readonly string[]): SpiceResult {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new CaptuneError(`SPICE output ${source}: not valid JSON (${(err as Error).message})`);
  }
  const parsed = outputSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new CaptuneError(`SPICE output ${source}: at ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  const perImage: Record<string, number> = {};
  const all: number[] = [];
  for (const item of parsed.data) {
    const f = floatConvert(item.scores.All.f);
    perImage[String(item.image_id)] = f;
    all.push(f);
  }
  for (const id of expectedIds) {
    if (!(id in perImage)) throw new CaptuneError(`SPICE output ${source}: no scores for image "${id}"`);
  }
  const corpus = all.length === 0 ? NaN : all.reduce((a, b) => a + b, 0) / all.length;
  return { corpus, perImage, label: 'SPICE' };
}

function run(java: string, args: string[], cwd: string): Promise<void> {
  return new Promise((done, fail) => {
    let stderr = '';
    const child = spawn(java, args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (d: string) => (stderr = (stderr + d).slice(-2000)));
    child.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') fail(new SpiceUnavailableError(`Java launcher "${java}" not found`));
      else fail(new CaptuneError(`SPICE: cannot start "${java}": ${err.message}`, { cause: err }));
    });
    child.on('close', (code, signal) => {
      if (code === 0) return done();
      const tail = stderr.trim().split('\n').slice(-3).join(' | ');
      const how = signal !== null ? `was killed by ${signal}` : `exited with code ${code}`;
      fail(new CaptuneError(`SPICE: "${java} ${args.slice(0, 3).join(' ')} …" ${how}${tail ? `: ${tail}` : ''}`));
    });
  });
}

/** Runs the official SPICE 1.0 jar over a caption set. */
export async function spiceScore(refs: Record<string, string[]>, cands: Record<string, string>, opts: SpiceOptions = {}): Promise<SpiceResult> {
  if (opts.jarPath === undefined || opts.jarPath === '') throw new SpiceUnavailableError('no SPICE jar given');
  const jar = resolve(opts.jarPath);
  if (!existsSync(jar)) throw new SpiceUnavailableError(`jar ${jar} does not exist`);
  const input = buildSpiceInput(refs, cands);
  const cacheDir = resolve(opts.cacheDir ?? join(dirname(jar), 'cache'));
  await mkdir(cacheDir, { recursive: true });
  const work = await mkdtemp(join(tmpdir(), 'captune-spice-'));
  try {
    const inFile = join(work, 'input.json');
    const outFile = join(work, 'output.json');
    await writeFile(inFile, JSON.stringify(input, null, 2));
    await run(opts.javaPath ?? 'java', spiceArgs(jar, inFile, outFile, cacheDir, opts.maxHeap), dirname(jar));
    const text = await readFile(outFile, 'utf8').catch(() => {
      throw new CaptuneError(`SPICE: the jar exited normally but wrote no output file ${outFile}`);
    });
    return parseSpiceOutput(text, outFile, Object.keys(cands).map((id) => String(jsonId(id))));
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
