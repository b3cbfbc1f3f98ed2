/**
 * Valid image files in many layouts for the caption batch test, encoded by sharp from
 * procedural pixels: ordinary JPEG/PNG of varied sizes and aspect ratios (1×1, very wide, very
 * tall), EXIF orientations 1–8, CMYK JPEG, 16-bit PNG, greyscale, alpha, palette, interlaced and
 * progressive, animated GIF/WebP (the first frame is captioned), WebP, TIFF, AVIF, and names
 * with spaces, unicode or a misleading extension. Every file is one `sharp` encode of a few KB.
 */
import sharp, { type Sharp } from 'sharp';

export interface OddImage {
  readonly name: string;
  /** What makes it odd (for assertion messages). */
  readonly kind: string;
  readonly bytes: Promise<Buffer>;
}

/** Deterministic RGB(A) pixels: a gradient with a few bars, varied by `seed`. */
export function patternPixels(
  width: number,
  height: number,
  channels: 3 | 4,
  seed: number,
): Buffer {
  const out = Buffer.alloc(width * height * channels);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * channels;
      const bar = ((x * 7 + y * 3 + seed * 11) >> 3) % 3 === 0;
      out[i] = (x * 255) / Math.max(1, width - 1);
      out[i + 1] = bar ? 255 - ((seed * 37) % 200) : (y * 255) / Math.max(1, height - 1);
      out[i + 2] = (seed * 53 + x + y) % 256;
      if (channels === 4) out[i + 3] = 255 - ((x + y + seed) % 200);
    }
  return out;
}

function raw(width: number, height: number, seed: number, channels: 3 | 4 = 3): Sharp {
  return sharp(patternPixels(width, height, channels, seed), { raw: { width, height, channels } });
}

/** An animated image of `frames` pages (`pageHeight` stacking). */
function animated(width: number, height: number, frames: number, seed: number): Sharp {
  const pages = Buffer.concat(
    Array.from({ length: frames }, (_, k) => patternPixels(width, height, 4, seed + k * 17)),
  );
  return sharp(pages, {
    raw: { width, height: height * frames, channels: 4, pageHeight: height },
  } as never);
}

/** The 80 good files, in a fixed order. */
export function oddImages(): OddImage[] {
  const list: OddImage[] = [];
  const add = (name: string, kind: string, bytes: Promise<Buffer>) =>
    list.push({ name, kind, bytes });
  // Ordinary PNG and JPEG, varied sizes and aspect ratios (16).
  const sizes: [number, number][] = [
    [64, 64],
    [48, 32],
    [32, 48],
    [100, 75],
    [75, 100],
    [200, 150],
    [17, 23],
    [640, 480],
  ];
  sizes.forEach(([w, h], k) => {
    add(`plain-${w}x${h}.png`, 'RGB PNG', raw(w, h, k).png().toBuffer());
    add(
      `plain-${w}x${h}.jpg`,
      'RGB JPEG',
      raw(w, h, k + 50)
        .jpeg({ quality: 60 + k * 5 })
        .toBuffer(),
    );
  });
  // Tiny and extreme aspect ratios (12).
  add('tiny-1x1.png', '1×1 PNG', raw(1, 1, 1).png().toBuffer());
  add('tiny-1x1.jpg', '1×1 JPEG', raw(1, 1, 2).jpeg().toBuffer());
  add('tiny-1x1.gif', '1×1 GIF', raw(1, 1, 3).gif().toBuffer());
  add('tiny-2x3.webp', '2×3 WebP', raw(2, 3, 4).webp().toBuffer());
  add('wide-1000x10.png', 'very wide PNG', raw(1000, 10, 5).png().toBuffer());
  add('wide-3000x3.jpg', 'very wide JPEG', raw(3000, 3, 6).jpeg().toBuffer());
  add('wide-20000x1.png', '20000×1 PNG', raw(20000, 1, 7).png().toBuffer());
  add('tall-10x1000.png', 'very tall PNG', raw(10, 1000, 8).png().toBuffer());
  add('tall-3x3000.jpg', 'very tall JPEG', raw(3, 3000, 9).jpeg().toBuffer());
  add('tall-1x20000.png', '1×20000 PNG', raw(1, 20000, 10).png().toBuffer());
  add('strip-64x1.png', '64×1 PNG', raw(64, 1, 11).png().toBuffer());
  add('strip-1x64.jpg', '1×64 JPEG', raw(1, 64, 12).jpeg().toBuffer());
  // EXIF orientations 1–8 on JPEG, and two on PNG (10).
  for (let o = 1; o <= 8; o++)
    add(
      `exif-${o}.jpg`,
      `JPEG EXIF orientation ${o}`,
      raw(60, 40, 20 + o)
        .jpeg()
        .withMetadata({ orientation: o })
        .toBuffer(),
    );
  add(
    'exif-6.png',
    'PNG EXIF orientation 6',
    raw(50, 30, 29).png().withMetadata({ orientation: 6 }).toBuffer(),
  );
  add(
    'exif-8.webp',
    'WebP EXIF orientation 8',
    raw(50, 30, 30).webp().withMetadata({ orientation: 8 }).toBuffer(),
  );
  // CMYK JPEG (4).
  for (const [k, [w, h]] of (
    [
      [64, 64],
      [33, 47],
      [120, 40],
      [1, 1],
    ] as const
  ).entries())
    add(
      `cmyk-${w}x${h}.jpg`,
      'CMYK JPEG',
      raw(w, h, 40 + k)
        .toColourspace('cmyk')
        .jpeg({ quality: 85 })
        .toBuffer(),
    );
  // 16-bit PNG (5).
  add('rgb16.png', '16-bit RGB PNG', raw(40, 30, 45).toColourspace('rgb16').png().toBuffer());
  add('rgba16.png', '16-bit RGBA PNG', raw(30, 40, 46, 4).toColourspace('rgb16').png().toBuffer());
  add('grey16.png', '16-bit grey PNG', raw(40, 40, 47).toColourspace('grey16').png().toBuffer());
  add('rgb16-1x1.png', '16-bit 1×1 PNG', raw(1, 1, 48).toColourspace('rgb16').png().toBuffer());
  add(
    'rgb16-interlaced.png',
    '16-bit interlaced PNG',
    raw(37, 29, 49).toColourspace('rgb16').png({ progressive: true }).toBuffer(),
  );
  // Greyscale (7).
  add('grey.png', 'grey PNG', raw(48, 48, 50).grayscale().png().toBuffer());
  add('grey.jpg', 'grey JPEG', raw(48, 48, 51).grayscale().jpeg().toBuffer());
  add('grey-alpha.png', 'grey + alpha PNG', raw(48, 48, 52, 4).grayscale().png().toBuffer());
  add('grey.webp', 'grey WebP', raw(48, 48, 53).grayscale().webp().toBuffer());
  add(
    'grey-1bit.png',
    '1-bit palette PNG',
    raw(48, 48, 54).grayscale().png({ palette: true, colours: 2 }).toBuffer(),
  );
  add('grey.tiff', 'grey TIFF', raw(48, 48, 55).grayscale().tiff().toBuffer());
  add('grey-1x1.png', 'grey 1×1 PNG', raw(1, 1, 56).grayscale().png().toBuffer());
  // Alpha (6).
  add('alpha.png', 'RGBA PNG', raw(64, 48, 60, 4).png().toBuffer());
  add('alpha-clear.png', 'fully transparent PNG', raw(32, 32, 61).ensureAlpha(0).png().toBuffer());
  add('alpha.webp', 'RGBA WebP', raw(64, 48, 62, 4).webp({ lossless: true }).toBuffer());
  add('alpha.gif', 'GIF with transparency', raw(40, 40, 63, 4).gif().toBuffer());
  add('alpha.tiff', 'RGBA TIFF', raw(40, 40, 64, 4).tiff().toBuffer());
  add('alpha-half.png', 'half-transparent PNG', raw(40, 30, 65).ensureAlpha(0.5).png().toBuffer());
  // Palette (5).
  add(
    'palette-256.png',
    '256-colour palette PNG',
    raw(64, 64, 70).png({ palette: true }).toBuffer(),
  );
  add(
    'palette-16.png',
    '16-colour palette PNG',
    raw(64, 64, 71).png({ palette: true, colours: 16 }).toBuffer(),
  );
  add(
    'palette-4.png',
    '4-colour palette PNG',
    raw(33, 21, 72).png({ palette: true, colours: 4 }).toBuffer(),
  );
  add(
    'palette-alpha.png',
    'palette PNG with tRNS',
    raw(40, 40, 73, 4).png({ palette: true }).toBuffer(),
  );
  add('palette.gif', 'GIF', raw(50, 50, 74).gif().toBuffer());
  // Animated (5).
  add('anim-2.gif', 'animated GIF, 2 frames', animated(32, 32, 2, 80).gif().toBuffer());
  add(
    'anim-5.gif',
    'animated GIF, 5 frames',
    animated(48, 24, 5, 81)
      .gif({ delay: [50, 60, 70, 80, 90] })
      .toBuffer(),
  );
  add(
    'anim-loop.gif',
    'animated GIF, looping',
    animated(20, 30, 3, 82).gif({ loop: 0 }).toBuffer(),
  );
  add('anim-3.webp', 'animated WebP, 3 frames', animated(32, 32, 3, 83).webp().toBuffer());
  add(
    'anim-2.webp',
    'animated WebP, lossless',
    animated(24, 40, 2, 84).webp({ lossless: true }).toBuffer(),
  );
  // WebP, TIFF, AVIF (5).
  add('photo.webp', 'lossy WebP', raw(80, 60, 90).webp({ quality: 50 }).toBuffer());
  add('lossless.webp', 'lossless WebP', raw(60, 80, 91).webp({ lossless: true }).toBuffer());
  add(
    'near-lossless.webp',
    'near-lossless WebP',
    raw(70, 50, 92).webp({ nearLossless: true }).toBuffer(),
  );
  add('plain.tiff', 'TIFF (LZW)', raw(50, 50, 93).tiff({ compression: 'lzw' }).toBuffer());
  add('photo.avif', 'AVIF', raw(64, 64, 94).avif({ effort: 0 }).toBuffer());
  // Encodings and names (5).
  add(
    'progressive.jpg',
    'progressive JPEG',
    raw(80, 64, 95).jpeg({ progressive: true }).toBuffer(),
  );
  add(
    'interlaced.png',
    'Adam7-interlaced PNG',
    raw(45, 35, 96).png({ progressive: true }).toBuffer(),
  );
  add('png-named.jpg', 'PNG bytes named .jpg', raw(40, 40, 97).png().toBuffer());
  add('UPPER CASE.JPG', 'upper-case extension, space in name', raw(40, 40, 98).jpeg().toBuffer());
  add('café ☕ 写真.png', 'unicode file name', raw(40, 40, 99).png().toBuffer());
  return list;
}
