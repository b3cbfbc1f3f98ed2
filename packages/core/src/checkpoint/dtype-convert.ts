/**
 * Bit-exact conversions between the storage dtypes of checkpoints and captune's float32 /
 * int32 tensors: IEEE half (F16) and bfloat16 (BF16) to and from float32 (round to nearest,
 * ties to even, as numpy's `astype(float16)` and torch's `.to(bfloat16)`), int64 to int32 with a
 * range check. Works on bit patterns (Uint16 / Uint32 views) so NaN payloads, -0, infinities and
 * subnormals survive. Little-endian typed-array views: see `assertLittleEndianHost`.
 */
import { CaptuneError } from '../errors/captune-error.js';

let f16Table: Uint32Array | undefined;

/** float32 bit pattern of one half-precision bit pattern. */
export function f16BitsToF32Bits(h: number): number {
  const sign = (h & 0x8000) << 16;
  const exp = (h >>> 10) & 0x1f;
  let mant = h & 0x3ff;
  if (exp === 0x1f) return (sign | 0x7f800000 | (mant << 13)) >>> 0; // inf / NaN
  if (exp === 0) {
    if (mant === 0) return sign >>> 0; // ±0
    // Subnormal: normalise the mantissa; every f16 subnormal is a normal float32.
    let e = 1;
    while ((mant & 0x400) === 0) {
      mant <<= 1;
      e -= 1;
    }
    return (sign | ((e + 112) << 23) | ((mant & 0x3ff) << 13)) >>> 0;
  }
  return (sign | ((exp + 112) << 23) | (mant << 13)) >>> 0;
}

/** Half-precision bit pattern of a float32 bit pattern, rounded to nearest even. */
export function f32BitsToF16Bits(x: number): number {
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant !== 0 ? 0x200 | (mant >>> 13) : 0); // inf / quiet NaN
  const e = exp - 112; // rebias 127 → 15
  if (e >= 0x1f) return sign | 0x7c00; // overflow → inf
  if (e <= 0) {
    if (e < -10) return sign; // below half the smallest subnormal → ±0
    mant |= 0x800000; // implicit leading bit
    const shift = 14 - e;
    let h = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const half = 1 << (shift - 1);
    if (rem > half || (rem === half && (h & 1) === 1)) h += 1;
    return sign | h;
  }
  let h = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && (h & 1) === 1)) h += 1; // may carry into inf: correct
  return sign | h;
}

/** bfloat16 bit pattern of a float32 bit pattern, rounded to nearest even; NaN stays quiet NaN. */
export function f32BitsToBf16Bits(x: number): number {
  if ((x & 0x7f800000) === 0x7f800000 && (x & 0x7fffff) !== 0) return ((x >>> 16) | 0x40) & 0xffff;
  return ((x >>> 0) + 0x7fff + ((x >>> 16) & 1)) >>> 16;
}

const scratchF = new Float32Array(1);
const scratchU = new Uint32Array(scratchF.buffer);

export function f16ToFloat(h: number): number {
  scratchU[0] = f16BitsToF32Bits(h);
  return scratchF[0] as number;
}

export function floatToF16(value: number): number {
  scratchF[0] = value;
  return f32BitsToF16Bits(scratchU[0] as number);
}

export function bf16ToFloat(b: number): number {
  scratchU[0] = (b & 0xffff) << 16;
  return scratchF[0] as number;
}

export function floatToBf16(value: number): number {
  scratchF[0] = value;
  return f32BitsToBf16Bits(scratchU[0] as number);
}

function table(): Uint32Array {
  if (!f16Table) {
    f16Table = new Uint32Array(0x10000);
    for (let h = 0; h < 0x10000; h++) f16Table[h] = f16BitsToF32Bits(h);
  }
  return f16Table;
}

/** F16 storage → float32, bit-exact. */
export function decodeF16(src: Uint16Array): Float32Array {
  const out = new Float32Array(src.length);
  const bits = new Uint32Array(out.buffer);
  const t = table();
  for (let i = 0; i < src.length; i++) bits[i] = t[src[i] as number] as number;
  return out;
}

/** BF16 storage → float32, bit-exact. */
export function decodeBf16(src: Uint16Array): Float32Array {
  const out = new Float32Array(src.length);
  const bits = new Uint32Array(out.buffer);
  for (let i = 0; i < src.length; i++) bits[i] = (src[i] as number) << 16;
  return out;
}

/** float32 → F16 storage (round to nearest even). */
export function encodeF16(src: Float32Array): Uint16Array {
  const bits = new Uint32Array(src.buffer, src.byteOffset, src.length);
  const out = new Uint16Array(src.length);
  for (let i = 0; i < src.length; i++) out[i] = f32BitsToF16Bits(bits[i] as number);
  return out;
}

/** float32 → BF16 storage (round to nearest even). */
export function encodeBf16(src: Float32Array): Uint16Array {
  const bits = new Uint32Array(src.buffer, src.byteOffset, src.length);
  const out = new Uint16Array(src.length);
  for (let i = 0; i < src.length; i++) out[i] = f32BitsToBf16Bits(bits[i] as number);
  return out;
}

/**
 * I64 storage (as little-endian int32 pairs) → int32. Throws naming `where` (e.g.
 * `model.safetensors: tensor "x"`) when a value does not fit in int32.
 */
export function decodeI64(pairs: Int32Array, where: string): Int32Array {
  const n = pairs.length >>> 1;
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const lo = pairs[2 * i] as number;
    const hi = pairs[2 * i + 1] as number;
    if (hi !== lo >> 31) {
      const value = (BigInt(hi) << 32n) | BigInt(lo >>> 0);
      throw new CaptuneError(
        `${where} (I64) holds ${value} at flat index ${i}, outside the int32 range captune uses`,
      );
    }
    out[i] = lo;
  }
  return out;
}

/** int32 → I64 storage (sign-extended little-endian int32 pairs). */
export function encodeI64(src: Int32Array): Int32Array {
  const out = new Int32Array(src.length * 2);
  for (let i = 0; i < src.length; i++) {
    const v = src[i] as number;
    out[2 * i] = v;
    out[2 * i + 1] = v >> 31;
  }
  return out;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Typed-array views over file bytes assume a little-endian host (every platform Node runs on). */
export function assertLittleEndianHost(): void {
  if (!LITTLE_ENDIAN)
    throw new CaptuneError('captune reads checkpoints only on little-endian hosts');
}
