import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDataset } from './dataset-loader.js';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'captune-dataset-'));
  await mkdir(join(dir, 'imgs/sub/deeper'), { recursive: true });
  await mkdir(join(dir, 'imgs/.hidden'), { recursive: true });
  for (const f of [
    'imgs/b.PNG',
    'imgs/a.jpg',
    'imgs/sub/c.webp',
    'imgs/sub/deeper/d.tiff',
    'imgs/notes.txt',
    'imgs/.hidden/e.png',
  ])
    await writeFile(join(dir, f), 'x');
  await symlink(join(dir, 'imgs/sub'), join(dir, 'imgs/loop')); // a symlinked folder is not followed
  await writeFile(join(dir, 'pairs.csv'), 'image,caption\nimgs/a.jpg,"a cat, sitting"\n');
  await writeFile(join(dir, 'empty-dir-marker'), '');
  await mkdir(join(dir, 'nothing'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('loadDataset', () => {
  it('lists a folder of images recursively: id = relative path, sorted, no captions', async () => {
    const d = await loadDataset(join(dir, 'imgs'));
    expect(d.format).toBe('folder');
    expect(d.imageRoot).toBe(join(dir, 'imgs'));
    expect(d.records.map((r) => r.id)).toEqual([
      'a.jpg',
      'b.PNG',
      'sub/c.webp',
      'sub/deeper/d.tiff',
    ]);
    expect(d.records[2]).toEqual({
      id: 'sub/c.webp',
      image: join(dir, 'imgs/sub/c.webp'),
      captions: [],
      split: 'unknown',
    });
  });

  it('reads a file with images relative to its folder, or to --image-root', async () => {
    const d = await loadDataset(join(dir, 'pairs.csv'));
    expect(d.records[0]!.image).toBe(join(dir, 'imgs/a.jpg'));
    const e = await loadDataset(join(dir, 'pairs.csv'), { imageRoot: join(dir, 'nothing') });
    expect(e.records[0]!.image).toBe(join(dir, 'nothing/imgs/a.jpg')); // not checked at load
  });

  it('gives one-line errors for missing paths, empty folders and mismatched formats', async () => {
    await expect(loadDataset(join(dir, 'nope.json'))).rejects.toThrow(
      `${join(dir, 'nope.json')}: cannot read dataset: no such file or folder`,
    );
    await expect(loadDataset(join(dir, 'nothing'))).rejects.toThrow(
      `${join(dir, 'nothing')}: no images found`,
    );
    await expect(loadDataset(join(dir, 'imgs'), { format: 'csv' })).rejects.toThrow(
      'is a folder, but format "csv" is a file format',
    );
    await expect(loadDataset(join(dir, 'pairs.csv'), { format: 'folder' })).rejects.toThrow(
      'format "folder" needs a folder',
    );
    await expect(
      loadDataset(join(dir, 'pairs.csv'), { imageRoot: join(dir, 'missing') }),
    ).rejects.toThrow('image root is not a folder');
    await expect(loadDataset(join(dir, 'empty-dir-marker'))).rejects.toThrow(
      'cannot tell the dataset format',
    );
  });
});
