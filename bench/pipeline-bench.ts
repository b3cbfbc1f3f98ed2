/**
 * Pipeline stages outside the models: decoding + CLIP-exact preprocessing (PIL bicubic resize of
 * the shorter side, centre crop, normalisation) of 640×480 JPEGs to ViT-B/16's 224×224 input.
 */
import sharp from 'sharp';
import { clipPreprocess, parseClipImageProcessorConfig, Rng } from '@captune/core';
import { decodeImage } from '@captune/core/node';
import { timeIt, type BenchResult } from './bench-result.js';

const VIT_B16_PREPROCESSOR = {
  crop_size: { height: 224, width: 224 },
  do_center_crop: true,
  do_normalize: true,
  do_resize: true,
  image_mean: [0.48145466, 0.4578275, 0.40821073],
  image_std: [0.26862954, 0.26130258, 0.27577711],
  resample: 3,
  size: { shortest_edge: 224 },
};

export async function runPipelineBench(quick: boolean): Promise<BenchResult[]> {
  const n = quick ? 16 : 64;
  const rng = new Rng(9);
  const jpegs: Buffer[] = [];
  for (let i = 0; i < n; i++) {
    const raw = Buffer.from(rng.uniformArray(640 * 480 * 3, 0, 255).map(Math.floor));
    jpegs.push(await sharp(raw, { raw: { width: 640, height: 480, channels: 3 } }).jpeg({ quality: 90 }).toBuffer());
  }
  const config = parseClipImageProcessorConfig(VIT_B16_PREPROCESSOR);
  const decode = await timeIt(async () => {
    for (let i = 0; i < n; i++) await decodeImage(jpegs[i]!, `bench-${i}.jpg`);
  }, { reps: quick ? 1 : 3 });
  const images = await Promise.all(jpegs.map((j, i) => decodeImage(j, `bench-${i}.jpg`)));
  const pre = await timeIt(async () => {
    for (const img of images) clipPreprocess(img, config);
  }, { reps: quick ? 1 : 3 });
  return [
    { name: 'image decode 640x480 JPEG (sharp)', target: 'pipeline', value: n / decode.median, unit: 'images/s' },
    { name: 'CLIP preprocess 640x480 → 224 (PIL-exact bicubic)', target: 'pipeline', value: n / pre.median, unit: 'images/s' },
    { name: 'decode + preprocess', target: 'pipeline', value: n / (decode.median + pre.median), unit: 'images/s' },
  ];
}
