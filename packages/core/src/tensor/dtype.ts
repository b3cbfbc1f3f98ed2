/**
 * Element types of the op contract. float32 and int32 today; float16 is planned and
 * the contract is written so that adding it means: a new member here, a storage type in
 * `TypedArrayFor`, and each backend saying whether it supports it (`Backend.dtypes`).
 */
export type DType = 'float32' | 'int32';

export const DTYPES: readonly DType[] = ['float32', 'int32'];

/** Host-side storage for each dtype (what `upload` takes and `read` returns). */
export type TypedArrayFor<D extends DType> = D extends 'float32' ? Float32Array : Int32Array;

export type HostData = Float32Array | Int32Array;

export function isFloat(dtype: DType): boolean {
  return dtype === 'float32';
}

export function allocFor(dtype: DType, size: number): HostData {
  switch (dtype) {
    case 'float32':
      return new Float32Array(size);
    case 'int32':
      return new Int32Array(size);
  }
}

export function dtypeOfData(data: HostData): DType {
  return data instanceof Float32Array ? 'float32' : 'int32';
}
