/**
 * Element types a safetensors header may name, with their sizes and the crate's ordering.
 * Follows `huggingface/safetensors` `safetensors/src/tensor.rs` (`enum Dtype`, declared in
 * increasing alignment order, which the writer uses to sort tensors).
 */

/** Every dtype the safetensors format defines (sub-byte float formats excluded). */
export const SAFETENSORS_DTYPES = [
  'BOOL',
  'U8',
  'I8',
  'F8_E5M2',
  'F8_E4M3',
  'F8_E8M0',
  'I16',
  'U16',
  'F16',
  'BF16',
  'I32',
  'U32',
  'F32',
  'F64',
  'I64',
  'U64',
] as const;

export type SafetensorsDtype = (typeof SAFETENSORS_DTYPES)[number];

/** The dtypes captune can load into float32 / int32 tensors (and write). */
export const LOADABLE_DTYPES = ['F32', 'F16', 'BF16', 'I64', 'I32'] as const;

export type LoadableDtype = (typeof LOADABLE_DTYPES)[number];

const SIZES: Record<SafetensorsDtype, number> = {
  BOOL: 1,
  U8: 1,
  I8: 1,
  F8_E5M2: 1,
  F8_E4M3: 1,
  F8_E8M0: 1,
  I16: 2,
  U16: 2,
  F16: 2,
  BF16: 2,
  I32: 4,
  U32: 4,
  F32: 4,
  F64: 8,
  I64: 8,
  U64: 8,
};

export function isSafetensorsDtype(value: unknown): value is SafetensorsDtype {
  return typeof value === 'string' && Object.hasOwn(SIZES, value);
}

export function isLoadableDtype(value: string): value is LoadableDtype {
  return (LOADABLE_DTYPES as readonly string[]).includes(value);
}

/** Bytes per element. */
export function safetensorsDtypeSize(dtype: SafetensorsDtype): number {
  return SIZES[dtype];
}

/** Position in the crate's `enum Dtype` (increasing alignment); the writer sorts by it, descending. */
export function safetensorsDtypeRank(dtype: SafetensorsDtype): number {
  return SAFETENSORS_DTYPES.indexOf(dtype);
}
