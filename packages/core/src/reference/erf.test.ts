import { describe, expect, it } from 'vitest';
import { erf } from './erf.js';

// Values from Python's math.erf (C99 erf, correctly rounded to about 1 ulp).
const TABLE: [number, number][] = [
  [0, 0],
  [0.1, 0.1124629160182849],
  [0.5, 0.5204998778130465],
  [1, 0.8427007929497149],
  [2, 0.9953222650189527],
  [2.999, 0.9999777698314002],
  [3, 0.9999779095030014],
  [4, 0.9999999845827421],
  [-0.7, -0.6778011938374184],
  [3.5, 0.9999992569016276],
  [5.5, 0.9999999999999927],
  [1e-8, 1.1283791670955126e-8],
  [7, 1],
];

describe('erf', () => {
  it.each(TABLE)('erf(%d) matches to 1e-14', (x, want) => {
    expect(Math.abs(erf(x) - want)).toBeLessThan(1e-14);
  });
  it('is odd and NaN-preserving', () => {
    expect(erf(-1.3)).toBe(-erf(1.3));
    expect(erf(NaN)).toBeNaN();
    expect(erf(-Infinity)).toBe(-1);
  });
});
