import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseSpiceOutput, spiceScore, SpiceUnavailableError } from './spice-score.js';

const refs = { '42': ['a dog runs', 'a dog is running'], '7': ['a cat'] };
const cands = { '42': 'a dog', '7': 'a cat sits' };

/** A fake `java` launcher: a shell script running a Node program that behaves like the jar. */
function fakeJava(body: string): { java: string; jar: string; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'fake-spice-'));
  const jar = join(dir, 'spice-1.0.jar');
  writeFileSync(jar, 'not a real jar');
  writeFileSync(
    join(dir, 'fake.mjs'),
    `import { readFileSync, writeFileSync } from 'node:fs';
const args = process.argv.slice(2);
writeFileSync(${JSON.stringify(join(dir, 'argv.json'))}, JSON.stringify({ args, cwd: process.cwd() }));
const input = JSON.parse(readFileSync(args[3], 'utf8'));
const out = args[args.indexOf('-out') + 1];
${body}`,
  );
  const java = join(dir, 'java');
  writeFileSync(java, `#!/bin/sh\nexec "${process.execPath}" "${join(dir, 'fake.mjs')}" "$@"\n`);
  chmodSync(java, 0o755);
  return { java, jar, dir };
}

describe('spiceScore with a fake SPICE launcher', () => {
  it('builds the pycocoevalcap command line and input, parses per-image F and averages', async () => {
    const f = fakeJava(`writeFileSync(out, JSON.stringify(input.map((it) => ({ image_id: it.image_id,
      scores: { All: { pr: 1, re: 1, f: it.refs.length / 4 }, Object: { f: 'NaN' } } }))));`);
    const r = await spiceScore(refs, cands, { jarPath: f.jar, javaPath: f.java, cacheDir: join(f.dir, 'c') });
    expect(r.perImage).toEqual({ '42': 0.5, '7': 0.25 });
    expect(r.corpus).toBeCloseTo(0.375, 15);
    const { args, cwd } = JSON.parse(readFileSync(join(f.dir, 'argv.json'), 'utf8')) as { args: string[]; cwd: string };
    expect(args[0]).toBe('-jar');
    expect(args[1]).toBe('-Xmx8G');
    expect(args[2]).toBe(f.jar);
    expect(args.slice(4)).toEqual(['-cache', join(f.dir, 'c'), '-out', args[7], '-subset', '-silent']);
    expect(cwd).toBe(f.dir);
    expect(existsSync(args[3]!)).toBe(false); // temporary files are removed
  });

  it('sends images sorted by id, integer ids as JSON numbers', async () => {
    const f = fakeJava(`writeFileSync(process.argv[1] + '.input.json', JSON.stringify(input));
writeFileSync(out, JSON.stringify(input.map((it) => ({ image_id: it.image_id, scores: { All: { f: 0 } } }))));`);
    await spiceScore(refs, cands, { jarPath: f.jar, javaPath: f.java });
    const sent = JSON.parse(readFileSync(join(f.dir, 'fake.mjs.input.json'), 'utf8'));
    expect(sent).toEqual([
      { image_id: 7, test: 'a cat sits', refs: ['a cat'] },
      { image_id: 42, test: 'a dog', refs: ['a dog runs', 'a dog is running'] },
    ]);
  });

  it('keeps a NaN F-score, which makes the mean NaN as np.mean does', async () => {
    const f = fakeJava(`writeFileSync(out, JSON.stringify(input.map((it, i) => ({ image_id: it.image_id, scores: { All: { f: i === 0 ? 'NaN' : 0.5 } } }))));`);
    const r = await spiceScore(refs, cands, { jarPath: f.jar, javaPath: f.java });
    expect(r.perImage['7']).toBeNaN();
    expect(r.corpus).toBeNaN();
  });

  it('reports a non-zero exit with the tail of stderr', async () => {
    const f = fakeJava(`process.stderr.write('Exception in thread "main" java.lang.OutOfMemoryError: Java heap space\\n'); process.exit(1);`);
    await expect(spiceScore(refs, cands, { jarPath: f.jar, javaPath: f.java })).rejects.toThrow(/exited with code 1: .*OutOfMemoryError/);
  });

  it('reports malformed or missing output', async () => {
    const garbage = fakeJava(`writeFileSync(out, '{ not json');`);
    await expect(spiceScore(refs, cands, { jarPath: garbage.jar, javaPath: garbage.java })).rejects.toThrow(/SPICE output .*output\.json: not valid JSON/);
    const partial = fakeJava(`writeFileSync(out, JSON.stringify([{ image_id: 7, scores: { All: { f: 0.1 } } }]));`);
    await expect(spiceScore(refs, cands, { jarPath: partial.jar, javaPath: partial.java })).rejects.toThrow(/no scores for image "42"/);
    const none = fakeJava(`process.exit(0);`);
    await expect(spiceScore(refs, cands, { jarPath: none.jar, javaPath: none.java })).rejects.toThrow(/wrote no output file/);
  });

  it('says SPICE is unavailable, and how to fix it, without a jar or without java', async () => {
    await expect(spiceScore(refs, cands)).rejects.toThrow(SpiceUnavailableError);
    await expect(spiceScore(refs, cands)).rejects.toThrow(/SPICE unavailable: no SPICE jar given; give --spice-jar PATH/);
    await expect(spiceScore(refs, cands, { jarPath: '/nope/spice-1.0.jar' })).rejects.toThrow(/jar \/nope\/spice-1\.0\.jar does not exist/);
    const f = fakeJava('');
    await expect(spiceScore(refs, cands, { jarPath: f.jar, javaPath: join(f.dir, 'no-java') })).rejects.toThrow(/Java launcher .* not found/);
  });

  it('rejects inputs whose image ids disagree', async () => {
    await expect(spiceScore({ a: ['x'] }, { b: 'x' }, { jarPath: fileURLToPath(import.meta.url) })).rejects.toThrow(/reference image "a" has no candidate/);
  });
});

describe('parseSpiceOutput', () => {
  it('names the offending field', () => {
    expect(() => parseSpiceOutput('[{"image_id": 1, "scores": {}}]', 'out.json', ['1'])).toThrow(/out\.json: at 0\.scores\.All/);
  });
});

const hasJdk = (() => {
  try {
    execFileSync('javac', ['-version'], { stdio: 'ignore' });
    execFileSync('jar', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

describe('spiceScore with a real JVM', () => {
  it.skipIf(!hasJdk)('runs a fake jar compiled with javac (skipped when javac/jar are not on PATH)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fake-spice-jar-'));
    writeFileSync(
      join(dir, 'FakeSpice.java'),
      `import java.nio.file.*; import java.util.regex.*; import java.util.*;
public class FakeSpice {
  public static void main(String[] a) throws Exception {
    String in = new String(Files.readAllBytes(Paths.get(a[0])), "UTF-8");
    String out = a[Arrays.asList(a).indexOf("-out") + 1];
    Matcher m = Pattern.compile("\\"image_id\\": (\\\\d+)").matcher(in);
    StringBuilder sb = new StringBuilder("[");
    while (m.find()) { if (sb.length() > 1) sb.append(","); sb.append("{\\"image_id\\": " + m.group(1) + ", \\"scores\\": {\\"All\\": {\\"f\\": 0.125}}}"); }
    Files.write(Paths.get(out), sb.append("]").toString().getBytes("UTF-8"));
  }
}`,
    );
    execFileSync('javac', ['FakeSpice.java'], { cwd: dir });
    execFileSync('jar', ['cfe', 'spice-1.0.jar', 'FakeSpice', 'FakeSpice.class'], { cwd: dir });
    const r = await spiceScore(refs, cands, { jarPath: join(dir, 'spice-1.0.jar'), maxHeap: '-Xmx64m' });
    expect(r).toEqual({ corpus: 0.125, perImage: { '7': 0.125, '42': 0.125 }, label: 'SPICE' });
  });
});
