/**
 * Data order for epoch `epoch`: a Fisher–Yates shuffle seeded from the base seed and the epoch
 * alone, so a run resumed at any step regenerates exactly the order it was in.
 */
import { Rng } from '../random/rng.js';

/** Seed of epoch `epoch`'s shuffle (a fixed mix of the base seed and the epoch). */
export function epochSeed(seed: number, epoch: number): number {
  return (Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.imul(epoch + 1, 0x85ebca6b)) >>> 0;
}

/** A permutation of 0..count-1 for the epoch. */
export function epochOrder(count: number, seed: number, epoch: number): number[] {
  return new Rng(epochSeed(seed, epoch)).shuffle(Array.from({ length: count }, (_, i) => i));
}
