/** readCaptionImage: special files are refused before reading, read errors name the file. */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CaptuneError } from '../../../core/src/errors/captune-error.js';
import { decodeImage } from '../../../core/src/node/image-decode.js';
import { encodeTestPng } from '../../../core/src/node/image-test-png.js';
import { readCaptionImage } from './caption-image-file.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'captune-read-image-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const failure = (path: string) =>
  readCaptionImage(path, decodeImage).then(
    () => 'decoded',
    (e: unknown) => (e instanceof CaptuneError ? e.message : `not a CaptuneError: ${String(e)}`),
  );

describe('readCaptionImage', () => {
  it('decodes a file to RGB', async () => {
    const path = join(dir, 'ok.png');
    await writeFile(path, encodeTestPng({ width: 1, height: 1, colorType: 0, samples: [9] }));
    const img = await readCaptionImage(path, decodeImage);
    expect([img.width, img.height, img.channels, ...img.data]).toEqual([1, 1, 3, 9, 9, 9]);
  });

  it('refuses directories, FIFOs and devices without reading them', async () => {
    expect(await failure(dir)).toBe(`${dir}: cannot read image: is a directory`);
    const fifo = join(dir, 'pipe.png');
    execFileSync('mkfifo', [fifo]); // reading it would block forever
    expect(await failure(fifo)).toBe(`${fifo}: cannot read image: not a regular file`);
    expect(await failure('/dev/zero')).toBe('/dev/zero: cannot read image: not a regular file');
  });

  it('names the file and the reason for paths that cannot be read', async () => {
    const file = join(dir, 'plain.txt');
    await writeFile(file, 'x');
    expect(await failure(join(dir, 'nope.png'))).toBe(
      `${join(dir, 'nope.png')}: cannot read image: no such file`,
    );
    expect(await failure(join(file, 'child.png'))).toBe(
      `${join(file, 'child.png')}: cannot read image: a parent of the path is not a folder`,
    );
    expect(await failure(file)).toMatch(
      /plain\.txt: cannot decode image: unsupported image format/,
    );
  });
});
