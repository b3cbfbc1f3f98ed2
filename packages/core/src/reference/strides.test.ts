import { describe, expect, it } from 'vitest';
import { broadcastStrides, forEachPosition, unravel } from './strides.js';

describe('broadcastStrides', () => {
  it('puts 0 on broadcast and missing leading axes', () => {
    expect(broadcastStrides([3, 1], [2, 3, 4])).toEqual([0, 1, 0]);
    expect(broadcastStrides([2, 3, 4], [2, 3, 4])).toEqual([12, 4, 1]);
    expect(broadcastStrides([], [2, 2])).toEqual([0, 0]);
  });
  it('rejects shapes that do not broadcast', () => {
    expect(() => broadcastStrides([3], [2, 4])).toThrow(/does not broadcast/);
  });
});

describe('forEachPosition', () => {
  it('walks row-major with offsets into strided inputs', () => {
    const seen: [number, number, number][] = [];
    forEachPosition(
      [2, 3],
      [
        [1, 2],
        [0, 1],
      ],
      (i, [a, b]) => seen.push([i, a!, b!]),
      [10, 0],
    );
    expect(seen).toEqual([
      [0, 10, 0],
      [1, 12, 1],
      [2, 14, 2],
      [3, 11, 0],
      [4, 13, 1],
      [5, 15, 2],
    ]);
  });
  it('visits a scalar once and an empty shape never', () => {
    let n = 0;
    forEachPosition([], [[]], () => n++);
    forEachPosition([2, 0, 3], [[0, 0, 0]], () => n++);
    expect(n).toBe(1);
  });
});

describe('unravel', () => {
  it('gives row-major coordinates', () => {
    expect(unravel(5, [2, 3])).toEqual([1, 2]);
    expect(unravel(0, [])).toEqual([]);
  });
});
