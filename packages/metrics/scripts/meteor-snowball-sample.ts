/**
 * Writes `src/meteor/fixtures/snowball-english-sample.tsv`: every 15th word → stem pair of the
 * official Snowball English test vocabulary (Debian package `snowball-data`, 0+20210120:
 * /usr/share/snowball/data/english/{voc,output}.txt). Run once by hand:
 *   apt-get install snowball-data && npx tsx packages/metrics/scripts/meteor-snowball-sample.ts
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dir = '/usr/share/snowball/data/english';
const voc = readFileSync(`${dir}/voc.txt`, 'utf8')
  .split('\n')
  .filter((l) => l !== '');
const out = readFileSync(`${dir}/output.txt`, 'utf8')
  .split('\n')
  .filter((l) => l !== '');
if (voc.length !== out.length)
  throw new Error(`voc.txt has ${voc.length} lines, output.txt ${out.length}`);
const lines = [
  '# Snowball English vocabulary sample (every 15th pair of snowball-data 0+20210120 voc.txt/output.txt)',
];
for (let i = 0; i < voc.length; i += 15) lines.push(`${voc[i]}\t${out[i]}`);
const target = fileURLToPath(
  new URL('../src/meteor/fixtures/snowball-english-sample.tsv', import.meta.url),
);
writeFileSync(target, lines.join('\n') + '\n');
console.log(`wrote ${lines.length - 1} pairs to ${target}`);
