/** Image decoding with sharp: colour types, orientation, alpha, 16-bit, frames, and bad files. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CaptuneError } from '../errors/captune-error.js';
import { decodeImage, decodeImageFile } from './image-decode.js';
import { encodeTestPng } from './image-test-png.js';

const px = (img: { data: Uint8Array }, i: number) =>
  Array.from(img.data.subarray(i * 3, i * 3 + 3));

describe('decodeImage', () => {
  it('keeps 8-bit RGB exactly', async () => {
    const samples = Array.from({ length: 3 * 2 * 3 }, (_, i) => (i * 37) % 256);
    const img = await decodeImage(
      encodeTestPng({ width: 3, height: 2, colorType: 2, samples }),
      'rgb.png',
    );
    expect([img.width, img.height, img.channels]).toEqual([3, 2, 3]);
    expect(Array.from(img.data)).toEqual(samples);
  });

  it('drops alpha without compositing, as PIL convert("RGB") does', async () => {
    const png = encodeTestPng({
      width: 2,
      height: 1,
      colorType: 6,
      samples: [10, 20, 30, 0, 200, 100, 50, 128],
    });
    const img = await decodeImage(png, 'rgba.png');
    expect(Array.from(img.data)).toEqual([10, 20, 30, 200, 100, 50]);
  });

  it('replicates grey (with or without alpha) and expands palettes ignoring tRNS', async () => {
    const grey = await decodeImage(
      encodeTestPng({ width: 2, height: 1, colorType: 0, samples: [7, 250] }),
      'l.png',
    );
    expect(Array.from(grey.data)).toEqual([7, 7, 7, 250, 250, 250]);
    const la = await decodeImage(
      encodeTestPng({ width: 1, height: 1, colorType: 4, samples: [99, 3] }),
      'la.png',
    );
    expect(Array.from(la.data)).toEqual([99, 99, 99]);
    const pal = encodeTestPng({
      width: 2,
      height: 1,
      colorType: 3,
      samples: [1, 0],
      palette: [1, 2, 3, 200, 150, 100],
      paletteAlpha: [0, 255],
    });
    expect(Array.from((await decodeImage(pal, 'p.png')).data)).toEqual([200, 150, 100, 1, 2, 3]);
  });

  it("takes the high byte of 16-bit samples (or PIL's clamp for 16-bit grey on request)", async () => {
    const rgb16 = encodeTestPng({
      width: 1,
      height: 1,
      colorType: 2,
      bitDepth: 16,
      samples: [0x1234, 0x80ff, 0x00ff],
    });
    expect(Array.from((await decodeImage(rgb16, 'rgb16.png')).data)).toEqual([0x12, 0x80, 0x00]);
    const g16 = encodeTestPng({
      width: 3,
      height: 1,
      colorType: 0,
      bitDepth: 16,
      samples: [100, 0x8000, 0xffff],
    });
    expect(Array.from((await decodeImage(g16, 'g16.png')).data)).toEqual([
      0, 0, 0, 0x80, 0x80, 0x80, 255, 255, 255,
    ]);
    expect(Array.from((await decodeImage(g16, 'g16.png', { gray16: 'pil-clamp' })).data)).toEqual([
      100, 100, 100, 255, 255, 255, 255, 255, 255,
    ]);
  });

  it('applies EXIF orientation', async () => {
    // 2×1 image, left red, right blue; orientation 6 = rotate 90° clockwise to display.
    const raw = Buffer.from([255, 0, 0, 0, 0, 255]);
    const png = await sharp(raw, { raw: { width: 2, height: 1, channels: 3 } })
      .png()
      .withMetadata({ orientation: 6 })
      .toBuffer();
    const img = await decodeImage(png, 'exif.png');
    expect([img.width, img.height]).toEqual([1, 2]);
    expect(px(img, 0)).toEqual([255, 0, 0]);
    expect(px(img, 1)).toEqual([0, 0, 255]);
  });

  it('converts CMYK JPEGs to three sRGB channels', async () => {
    const rgb = { r: 200, g: 60, b: 20 };
    const cmyk = await sharp({ create: { width: 2, height: 2, channels: 3, background: rgb } })
      .toColourspace('cmyk')
      .jpeg({ quality: 100 })
      .toBuffer();
    expect((await sharp(cmyk).metadata()).space).toBe('cmyk');
    const img = await decodeImage(cmyk, 'cmyk.jpg');
    const [r, g, b] = px(img, 0);
    expect(Math.abs(r! - rgb.r) + Math.abs(g! - rgb.g) + Math.abs(b! - rgb.b)).toBeLessThan(40);
  });

  it('reads the first frame of an animated GIF', async () => {
    const frame = (r: number, b: number) =>
      sharp({ create: { width: 4, height: 4, channels: 3, background: { r, g: 0, b } } })
        .png()
        .toBuffer();
    const gif = await sharp([await frame(255, 0), await frame(0, 255)], {
      join: { animated: true },
    })
      .gif()
      .toBuffer();
    const img = await decodeImage(gif, 'anim.gif');
    expect([img.width, img.height]).toEqual([4, 4]);
    expect(px(img, 5)).toEqual([255, 0, 0]);
  });

  it('refuses images above the pixel limit before decoding them', async () => {
    const png = encodeTestPng({
      width: 20,
      height: 10,
      colorType: 0,
      samples: new Array(200).fill(0),
    });
    await expect(decodeImage(png, 'big.png', { maxPixels: 199 })).rejects.toThrow(
      'big.png: image is 20×10 = 200 pixels, above the limit of 199 (decompression bomb guard; raise maxPixels to allow it)',
    );
    expect((await decodeImage(png, 'big.png', { maxPixels: 200 })).width).toBe(20);
  });

  it('gives a one-line CaptuneError for empty, truncated, corrupt and non-image input', async () => {
    const jpeg = await sharp({ create: { width: 32, height: 32, channels: 3, background: 'red' } })
      .jpeg()
      .toBuffer();
    const cases: [Uint8Array, string, RegExp][] = [
      [new Uint8Array(0), 'empty.jpg', /^empty\.jpg: cannot decode image: the file is empty$/],
      [
        jpeg.subarray(0, jpeg.length >> 1),
        'cut.jpg',
        /^cut\.jpg: cannot decode image: .*premature end of JPEG image\)?$/,
      ],
      [
        Buffer.from('just some text, not an image'),
        'notes.txt',
        /^notes\.txt: cannot decode image: .*unsupported image format/,
      ],
      [
        encodeTestPng({ width: 1, height: 1, colorType: 2, samples: [1, 2, 3] }).subarray(0, 40),
        'short.png',
        /^short\.png: cannot decode image: /,
      ],
      [
        encodeTestPng({ width: 1, height: 1, colorType: 2, samples: [1, 2, 3] }).subarray(0, 20),
        'header.png',
        /^header\.png: cannot decode image: corrupt or truncated header$/,
      ],
      [
        jpeg.subarray(0, 2),
        'soi.jpg',
        /^soi\.jpg: cannot decode image: corrupt or truncated header \(premature end of JPEG image\)$/,
      ],
      [
        encodeTestPng({
          width: 64,
          height: 64,
          colorType: 2,
          samples: Array.from({ length: 64 * 64 * 3 }, (_, i) => (i * 7919) % 251),
        }).subarray(0, 300),
        'cut.png',
        /^cut\.png: cannot decode image: corrupt or truncated PNG data \(libpng read error\)$/,
      ],
      [
        Buffer.from('BM'),
        'tiny.bmp',
        /^tiny\.bmp: cannot decode image: unsupported image format \(not JPEG, PNG, WebP, GIF, TIFF, AVIF\/HEIF or SVG\)$/,
      ],
    ];
    for (const [bytes, name, pattern] of cases) {
      const err = await decodeImage(bytes, name).catch((e: unknown) => e);
      expect(err, name).toBeInstanceOf(CaptuneError);
      expect((err as Error).message, name).toMatch(pattern);
      expect((err as Error).message, name).not.toContain('\n');
    }
  });
});

describe('decodeImageFile', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'captune-image-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('decodes a file and names missing or zero-byte files', async () => {
    const ok = join(dir, 'ok.png');
    await writeFile(ok, encodeTestPng({ width: 1, height: 1, colorType: 2, samples: [4, 5, 6] }));
    expect(Array.from((await decodeImageFile(ok)).data)).toEqual([4, 5, 6]);
    await expect(decodeImageFile(join(dir, 'nope.png'))).rejects.toThrow(
      `${join(dir, 'nope.png')}: cannot read image: no such file`,
    );
    const empty = join(dir, 'empty.png');
    await writeFile(empty, new Uint8Array(0));
    await expect(decodeImageFile(empty)).rejects.toThrow(
      `${empty}: cannot decode image: the file is empty`,
    );
    await expect(decodeImageFile(dir)).rejects.toThrow(`${dir}: cannot read image: is a directory`);
  });
});
