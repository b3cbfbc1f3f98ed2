/** `curves.svg` from `log.jsonl`: training loss (and validation loss) per step on the left axis, validation CIDEr-D on the right. */
import { writeFile } from 'node:fs/promises';
import { lineChartSvg, type PlotSeries } from './plot-svg.js';
import { readTrainingLog, type TrainingLogEntry } from './training-log.js';

/** Mean of each window of `k` consecutive losses (a readable curve for long runs). */
function smooth(entries: readonly TrainingLogEntry[], k: number): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < entries.length; i += k) {
    const w = entries.slice(i, i + k);
    out.push([w[w.length - 1]!.step, w.reduce((a, e) => a + e.loss, 0) / w.length]);
  }
  return out;
}

export function trainingCurvesSvg(log: readonly TrainingLogEntry[]): string {
  const k = Math.max(1, Math.floor(log.length / 400));
  const val = log.filter((e) => e.valLoss !== undefined);
  const series: PlotSeries[] = [
    { label: k > 1 ? `train loss (mean of ${k} steps)` : 'train loss', points: smooth(log, k) },
  ];
  if (val.length)
    series.push({ label: 'val loss', points: val.map((e) => [e.step, e.valLoss!]), markers: true });
  const cider = val.filter((e) => typeof e.valCider === 'number');
  if (cider.length)
    series.push({
      label: 'val CIDEr-D',
      points: cider.map((e) => [e.step, e.valCider!]),
      axis: 'right',
      markers: true,
    });
  return lineChartSvg({
    title: 'captune training',
    xLabel: 'optimizer step',
    yLeftLabel: 'loss (token cross-entropy)',
    yRightLabel: 'CIDEr-D',
    series,
  });
}

export async function plotTrainingCurves(logPath: string, svgPath: string): Promise<void> {
  await writeFile(svgPath, trainingCurvesSvg(await readTrainingLog(logPath)));
}
