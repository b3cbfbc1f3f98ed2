/**
 * Broken inputs for the caption batch test, built by code: zero bytes, text named .png, random
 * bytes named .jpg, PNG and JPEG truncated at different points (inside the header, inside the
 * image data, just before the end marker), a corrupted PNG chunk, decompression bombs made by
 * a crafted header (a PNG IHDR or a JPEG SOF claiming 30000×30000 — 900 M pixels — over a few
 * hundred bytes; never encoded), a BMP (no decoder in sharp's libvips), a missing file and a
 * directory. PNG chunk layout: W3C PNG spec §5; JPEG markers: ITU T.81 Annex B.
 */
import { deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { pngChunk } from '../../../../core/src/node/image-test-png.js';
import { Rng } from '../../../../core/src/random/rng.js';
import { patternPixels } from './odd-images.js';

export interface BrokenInput {
  readonly name: string;
  /** Bytes to write; `'missing'` writes nothing, `'directory'` makes a folder of that name. */
  readonly content: Promise<Buffer> | 'missing' | 'directory';
  /** What the reported error must say after `<path>: `. */
  readonly reason: RegExp;
}

/** A valid PNG header for a width×height RGB image with one tiny IDAT: a decompression bomb's header. */
export function bombPng(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8;
  ihdr[9] = 2;
  return Buffer.concat([
    Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', deflateSync(Buffer.alloc(1024))),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A small baseline JPEG whose SOF0 frame header is patched to claim width×height (≤ 65535). */
export async function bombJpeg(width: number, height: number): Promise<Buffer> {
  const jpeg = Buffer.from(await rawImage(16, 16, 7).jpeg().toBuffer());
  const sof = jpeg.indexOf(Buffer.from([0xff, 0xc0]));
  if (sof < 0) throw new Error('bombJpeg: no SOF0 marker in the encoded JPEG');
  // FFC0, Lf (2), P (1), Y (2), X (2)
  jpeg.writeUInt16BE(height, sof + 5);
  jpeg.writeUInt16BE(width, sof + 7);
  return jpeg;
}

/** A 24-bit Windows BMP (BITMAPINFOHEADER), a format sharp's prebuilt libvips does not read. */
export function bmp(width: number, height: number): Buffer {
  const row = Math.ceil((width * 3) / 4) * 4;
  const out = Buffer.alloc(54 + row * height);
  out.write('BM', 0, 'latin1');
  out.writeUInt32LE(out.length, 2);
  out.writeUInt32LE(54, 10);
  out.writeUInt32LE(40, 14);
  out.writeInt32LE(width, 18);
  out.writeInt32LE(height, 22);
  out.writeUInt16LE(1, 26);
  out.writeUInt16LE(24, 28);
  out.writeUInt32LE(row * height, 34);
  for (let i = 54; i < out.length; i++) out[i] = (i * 31) % 256;
  return out;
}

function rawImage(width: number, height: number, seed: number) {
  return sharp(patternPixels(width, height, 3, seed), { raw: { width, height, channels: 3 } });
}

function randomBytes(n: number, seed: number): Buffer {
  return Buffer.from(new Rng(seed).uniformArray(n, 0, 256).map(Math.floor));
}

/** Offset just past the first chunk of `type` in a PNG (its data ends 4 bytes earlier). */
function pngChunkEnd(png: Buffer, type: string): number {
  let at = 8;
  while (at + 8 <= png.length) {
    const len = png.readUInt32BE(at);
    if (png.toString('latin1', at + 4, at + 8) === type) return at + 12 + len;
    at += 12 + len;
  }
  throw new Error(`no ${type} chunk`);
}

const UNSUPPORTED = /^cannot decode image: unsupported image format \(/;
const BAD_HEADER = /^cannot decode image: corrupt or truncated header\b/;
const BAD_PNG_DATA = /^cannot decode image: corrupt or truncated PNG data\b/;
const CUT_JPEG =
  /^cannot decode image: (corrupt or truncated header \()?premature end of JPEG image\)?$/;
const BOMB = /^image is 30000×30000 = 900000000 pixels, above the limit .*decompression bomb/;

/** The 20 broken inputs, in a fixed order. */
export function brokenInputs(): BrokenInput[] {
  const png = rawImage(64, 48, 1).png({ compressionLevel: 0 }).toBuffer();
  const jpeg = rawImage(64, 48, 2).jpeg({ quality: 90 }).toBuffer();
  const cut = (p: Promise<Buffer>, at: (b: Buffer) => number) =>
    p.then((b) => b.subarray(0, at(b)));
  return [
    {
      name: 'empty.png',
      content: Promise.resolve(Buffer.alloc(0)),
      reason: /^cannot decode image: the file is empty$/,
    },
    {
      name: 'empty.jpg',
      content: Promise.resolve(Buffer.alloc(0)),
      reason: /^cannot decode image: the file is empty$/,
    },
    {
      name: 'notes.png',
      content: Promise.resolve(Buffer.from('this is not an image\n')),
      reason: UNSUPPORTED,
    },
    {
      name: 'page.png',
      content: Promise.resolve(Buffer.from('<!doctype html><title>404</title>\n')),
      reason: UNSUPPORTED,
    },
    { name: 'noise.jpg', content: Promise.resolve(randomBytes(3000, 5)), reason: UNSUPPORTED },
    {
      name: 'noise-ff-d8.jpg',
      content: Promise.resolve(
        Buffer.concat([Buffer.from([0xff, 0xd8, 0xff]), randomBytes(5000, 6)]),
      ),
      reason: BAD_HEADER,
    },
    { name: 'cut-signature.png', content: cut(png, () => 8), reason: BAD_HEADER },
    { name: 'cut-ihdr.png', content: cut(png, () => 20), reason: BAD_HEADER },
    {
      name: 'cut-idat.png',
      content: cut(png, (b) => Math.floor(b.length / 2)),
      reason: BAD_PNG_DATA,
    },
    {
      name: 'cut-before-iend.png',
      content: cut(png, (b) => pngChunkEnd(b, 'IDAT') - 100),
      reason: BAD_PNG_DATA,
    },
    {
      name: 'bad-crc.png',
      content: png.then((b) => {
        const c = Buffer.from(b);
        c[pngChunkEnd(c, 'IDAT') - 5]! ^= 0xff; // last CRC byte of the IDAT chunk
        return c;
      }),
      reason: BAD_PNG_DATA,
    },
    { name: 'cut-soi.jpg', content: cut(jpeg, () => 2), reason: CUT_JPEG },
    {
      name: 'cut-header.jpg',
      content: cut(jpeg, (b) => b.indexOf(Buffer.from([0xff, 0xda])) - 30),
      reason: CUT_JPEG,
    },
    {
      name: 'cut-scan.jpg',
      content: cut(jpeg, (b) => Math.floor(b.length * 0.6)),
      reason: CUT_JPEG,
    },
    { name: 'cut-eoi.jpg', content: cut(jpeg, (b) => b.length - 2), reason: CUT_JPEG },
    { name: 'bomb-30000x30000.png', content: Promise.resolve(bombPng(30000, 30000)), reason: BOMB },
    { name: 'bomb-30000x30000.jpg', content: bombJpeg(30000, 30000), reason: BOMB },
    { name: 'picture.bmp', content: Promise.resolve(bmp(20, 10)), reason: UNSUPPORTED },
    { name: 'missing.png', content: 'missing', reason: /^cannot read image: no such file$/ },
    { name: 'folder.png', content: 'directory', reason: /^cannot read image: is a directory$/ },
  ];
}
