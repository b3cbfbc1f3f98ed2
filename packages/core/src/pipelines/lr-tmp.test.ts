import { it } from 'vitest';
import { recordsOf } from '../data/caption-dataset.js';
import { LrScheduleSchema } from '../optim/lr-schedule.js';
import { adapterMethod } from './adapter-methods.js';
import { CaptionTrainer } from './caption-trainer.js';
import { buildTrainingExamples } from './training-examples.js';
import { toyLm, toyTokenizer, toyWorld } from './testing/toy-caption-world.js';
it('lr', async () => {
  for (const lr of [0.002, 0.005, 0.01, 0.02]) for (const cfg of [{ prefixLength: 2 }, { prefixLength: 4 }]) {
  const { engine, lm } = await toyLm();
  const world = toyWorld({ train: 12, val: 4, test: 4 });
  const m = adapterMethod('clipcap');
  const adapter = m.create(engine, lm.config, world.features, cfg, 5);
  const examples = buildTrainingExamples(recordsOf(world.dataset, 'train'), toyTokenizer, 10);
  const t = new CaptionTrainer({ decoder: lm, adapter, features: world.features, needs: m.needs, examples, epochs: 20, batchSize: 8, gradAccumulation: 1, optimizer: { lr, weightDecay: 0 }, schedule: LrScheduleSchema.parse({}), gradClip: 1, seed: 0 });
  const l: number[] = [];
  for (let i = 0; i < 30; i++) l.push((await t.trainStep()).loss);
  console.log(lr, cfg.prefixLength, l.map((x) => x.toFixed(2)).join(' '));
  }
});
