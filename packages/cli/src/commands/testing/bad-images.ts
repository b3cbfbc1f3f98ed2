/**
 * Image files for the caption tests, written into a folder by code: good images in many layouts
 * (CMYK JPEG, 16-bit PNG, greyscale, alpha, palette, animated GIF, WebP) and bad files (zero
 * bytes, text named .png, random bytes, a truncated PNG, a PNG header claiming 30000×30000
 * pixels — a decompression bomb).
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { Rng } from '../../../../core/src/random/rng.js';

const CRC = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(b: Uint8Array): number {
  let c = 0xffffffff;
  for (const x of b) c = CRC[(c ^ x) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

/** A valid PNG header for a width×height RGB image with one tiny IDAT (decoders refuse or run out of data). */
export function bombPng(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8;
  ihdr[9] = 2;
  return Buffer.concat([
    Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(Buffer.alloc(1024))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** Writes the files; returns [name, good?] in a fixed order. */
export async function writeImageZoo(dir: string, source: string): Promise<[string, boolean][]> {
  const base = sharp(source);
  const png = await base.clone().png().toBuffer();
  const { width, height } = await base.metadata();
  const rgba = await base.clone().ensureAlpha().raw().toBuffer();
  const negated = await base.clone().negate({ alpha: false }).ensureAlpha().raw().toBuffer();
  const files: [string, Buffer | Promise<Buffer>, boolean][] = [
    ['good.png', png, true],
    ['empty.png', Buffer.alloc(0), false],
    ['cmyk.jpg', base.clone().toColourspace('cmyk').jpeg().toBuffer(), true],
    ['text.png', Buffer.from('this is not an image\n'), false],
    ['rgb16.png', base.clone().toColourspace('rgb16').png().toBuffer(), true],
    ['random.png', Buffer.from(new Rng(5).uniformArray(3000, 0, 256).map(Math.floor)), false],
    ['gray.png', base.clone().grayscale().png().toBuffer(), true],
    ['truncated.png', png.subarray(0, Math.floor(png.length / 3)), false],
    ['alpha.png', base.clone().ensureAlpha(0.5).png().toBuffer(), true],
    ['palette.png', base.clone().png({ palette: true }).toBuffer(), true],
    ['bomb.png', bombPng(30000, 30000), false],
    [
      'anim.gif',
      sharp(Buffer.concat([rgba, negated]), {
        raw: { width: width!, height: height! * 2, channels: 4, pageHeight: height! } as never,
      })
        .gif()
        .toBuffer(),
      true,
    ],
    ['image.webp', base.clone().webp().toBuffer(), true],
  ];
  const out: [string, boolean][] = [];
  for (const [name, data, good] of files) {
    await writeFile(join(dir, name), await data);
    out.push([name, good]);
  }
  return out;
}
