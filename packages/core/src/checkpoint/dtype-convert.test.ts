import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  bf16ToFloat,
  decodeBf16,
  decodeF16,
  decodeI64,
  encodeBf16,
  encodeF16,
  encodeI64,
  f16BitsToF32Bits,
  f16ToFloat,
  f32BitsToF16Bits,
  floatToBf16,
  floatToF16,
} from './dtype-convert.js';

const bitsOf = (x: number): number => new Uint32Array(new Float32Array([x]).buffer)[0] as number;
const floatOf = (bits: number): number =>
  new Float32Array(new Uint32Array([bits]).buffer)[0] as number;

describe('F16 → float32', () => {
  it.each([
    [0x3c00, 1],
    [0xc000, -2],
    [0x3555, 0.333251953125],
    [0x7bff, 65504],
    [0x0400, 2 ** -14], // smallest normal
    [0x0001, 2 ** -24], // smallest subnormal
    [0x03ff, 1023 * 2 ** -24], // largest subnormal
    [0x8001, -(2 ** -24)],
    [0x7c00, Infinity],
    [0xfc00, -Infinity],
  ])('0x%s decodes exactly', (h, value) => {
    expect(f16ToFloat(h)).toBe(value);
  });

  it('keeps the sign of zero and NaN payloads', () => {
    expect(Object.is(f16ToFloat(0x8000), -0)).toBe(true);
    expect(Object.is(f16ToFloat(0x0000), 0)).toBe(true);
    expect(f16ToFloat(0x7e00)).toBeNaN();
    expect(f16BitsToF32Bits(0x7e01)).toBe(0x7fc02000);
    expect(f16BitsToF32Bits(0xfd00)).toBe(0xffa00000); // signalling NaN stays a NaN with its payload
  });

  it('round-trips every one of the 65536 half bit patterns (signalling NaNs come back quiet, as in numpy)', () => {
    const wrong: number[] = [];
    for (let h = 0; h < 0x10000; h++) {
      const isNaN = (h & 0x7c00) === 0x7c00 && (h & 0x3ff) !== 0;
      if (f32BitsToF16Bits(f16BitsToF32Bits(h)) !== (isNaN ? h | 0x200 : h)) wrong.push(h);
    }
    expect(wrong).toEqual([]);
  });

  it('decodes arrays bit-exactly', () => {
    const src = new Uint16Array([0x3c00, 0x0001, 0x8000, 0x7e00, 0xfc00]);
    const bits = new Uint32Array(decodeF16(src).buffer);
    expect([...bits]).toEqual([0x3f800000, 0x33800000, 0x80000000, 0x7fc00000, 0xff800000]);
  });
});

describe('float32 → F16 (round to nearest, ties to even)', () => {
  it.each([
    [1 + 2 ** -11, 0x3c00], // tie → even (down)
    [1 + 3 * 2 ** -11, 0x3c02], // tie → even (up)
    [1 + 2 ** -11 + 2 ** -20, 0x3c01], // just above a tie
    [65519, 0x7bff], // below the overflow threshold
    [65520, 0x7c00], // tie at the top rounds to inf
    [1e6, 0x7c00],
    [2 ** -25, 0x0000], // half the smallest subnormal: tie → 0
    [2 ** -25 * 1.5, 0x0001],
    [3 * 2 ** -25, 0x0002], // tie between 1 and 2 subnormal units → even
    [2 ** -14 - 2 ** -25, 0x0400], // largest subnormal + half unit rounds up into the normals
    [1e-10, 0x0000],
    [-1e-10, 0x8000],
    [-Infinity, 0xfc00],
  ])('%s → 0x%s', (x, h) => {
    expect(floatToF16(x)).toBe(h);
  });

  it('keeps NaN a (quiet) NaN', () => {
    const h = floatToF16(NaN);
    expect(h & 0x7c00).toBe(0x7c00);
    expect(h & 0x3ff).not.toBe(0);
  });

  it('matches numpy astype(float16) on random values and rounding boundaries', () => {
    const golden = JSON.parse(
      readFileSync(new URL('./fixtures/f16-golden.json', import.meta.url), 'utf8'),
    ) as {
      f32_bits: number[];
      f16_bits: number[];
    };
    expect(golden.f32_bits.length).toBeGreaterThan(1000);
    const encoded = encodeF16(new Float32Array(new Uint32Array(golden.f32_bits).buffer));
    const mismatches = golden.f32_bits.filter((_, i) => encoded[i] !== golden.f16_bits[i]);
    expect(mismatches).toEqual([]);
  });
});

describe('BF16', () => {
  it.each([
    [0x3f80, 1],
    [0x4049, 3.140625],
    [0xc2f7, -123.5],
    [0x0001, 2 ** -133], // subnormal
    [0x7f80, Infinity],
    [0xff80, -Infinity],
  ])('0x%s decodes exactly', (b, value) => {
    expect(bf16ToFloat(b)).toBe(value);
  });

  it('decodes -0 and NaN', () => {
    expect(Object.is(bf16ToFloat(0x8000), -0)).toBe(true);
    expect(bf16ToFloat(0x7fc0)).toBeNaN();
    expect([...new Uint32Array(decodeBf16(new Uint16Array([0x7fc1])).buffer)]).toEqual([
      0x7fc10000,
    ]);
  });

  it.each([
    [1 + 2 ** -8, 0x3f80], // tie → even (down)
    [1 + 3 * 2 ** -8, 0x3f82], // tie → even (up)
    [1 + 2 ** -8 + 2 ** -20, 0x3f81],
    [floatOf(0x7f7fffff), 0x7f80], // max float rounds to inf
    [floatOf(0x00000001), 0x0000], // tiny subnormal → 0
    [-0, 0x8000],
  ])('%s → 0x%s', (x, b) => {
    expect(floatToBf16(x)).toBe(b);
  });

  it('keeps NaN a quiet NaN, even with a payload only in the low bits', () => {
    const b = encodeBf16(new Float32Array([floatOf(0x7f800001)]))[0] as number;
    expect(b & 0x7f80).toBe(0x7f80);
    expect(b & 0x7f).not.toBe(0);
    expect(floatToBf16(NaN) & 0x7fc0).toBe(0x7fc0);
  });

  it('round-trips every bf16 bit pattern', () => {
    const wrong: number[] = [];
    for (let b = 0; b < 0x10000; b++) {
      const isNaN = (b & 0x7f80) === 0x7f80 && (b & 0x7f) !== 0;
      const back = floatToBf16(bf16ToFloat(b));
      if (isNaN ? (back & 0x7f80) !== 0x7f80 || (back & 0x7f) === 0 : back !== b) wrong.push(b);
    }
    expect(wrong).toEqual([]);
    expect(bitsOf(bf16ToFloat(0x1234))).toBe(0x12340000);
  });
});

describe('I64 ↔ int32', () => {
  it('narrows values in range and widens back', () => {
    const values = new Int32Array([0, 5, -1, 2147483647, -2147483648]);
    const pairs = encodeI64(values);
    expect([...pairs]).toEqual([0, 0, 5, 0, -1, -1, 2147483647, 0, -2147483648, -1]);
    expect([...decodeI64(pairs, 'x')]).toEqual([...values]);
  });

  it('refuses a value outside int32, naming the tensor, value and index', () => {
    const pairs = new Int32Array([7, 0, -2147483648, 0]); // second value is 2^31
    expect(() => decodeI64(pairs, 'model.safetensors: tensor "ids"')).toThrow(
      'model.safetensors: tensor "ids" (I64) holds 2147483648 at flat index 1, outside the int32 range captune uses',
    );
    expect(() => decodeI64(new Int32Array([0, -2]), 't')).toThrow(
      'holds -8589934592 at flat index 0',
    );
  });
});
