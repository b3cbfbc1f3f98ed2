/**
 * Which materialised inputs of a graph become constants (initializers) rather than inputs fed at
 * every run. Two gains, both measured on GPT-2 124M decoding (numbers in the backend README):
 * - ORT's CPU Gemm/MatMul pack their weight operand into MLAS's blocked layout at every run unless
 *   it is a constant initializer (then once, at session creation: `PrePack` in onnxruntime
 *   core/providers/cpu/math/matmul.cc and gemm.cc). Even for one row (a greedy step), where MLAS
 *   could read the weight unpacked, the packed constant streams faster: the step's 48 matmuls
 *   take ~20 ms as constants against ~24 ms fed.
 * - Every fed input costs the binding a tensor conversion per run: a GPT-2 step fed 177 inputs,
 *   most of them biases and norms. As constants, greedy decoding got ~5% faster and beam 5 ~8%.
 *
 * A constant ties a session to those very bytes (the session key names the value), so only
 * frozen weights qualify: values core marked with `markFrozen` (non-trainable variables: the
 * checkpoint weights of CLIP and GPT-2), which are read again and again and never change.
 * Data (images, caches, trainable parameters, anything a benchmark re-feeds) stays an input,
 * and so does a frozen value already disposed when the graph is planned (optimizer moments are
 * non-trainable variables too, but `Engine.assign` replaces and disposes them every step).
 */
import { totalmem } from 'node:os';
import type { GraphValue } from './graph-value.js';

/**
 * The default bound on the constants all cached sessions hold (`maxConstantBytes`): half the
 * machine's memory, at least 4 GiB. Greedy decoding keeps two sessions with every weight
 * pre-packed (the prompt's and the one-token step's), so GPT-2 large (3.1 GB of float32) needs
 * ~6.2 GB cached; below that the two would evict each other and recompile for every caption.
 */
export function defaultMaxConstantBytes(machineBytes: number = totalmem()): number {
  return Math.max(4 * 2 ** 30, Math.floor(machineBytes / 2));
}

export interface ConstantPolicyOptions {
  /** Compile frozen weights into the graphs as pre-packed constants. @default true */
  readonly enabled?: boolean;
  /** Smallest constant, in elements. @default 1 (every frozen float32 value) */
  readonly minElements?: number;
}

export class ConstantPolicy {
  readonly enabled: boolean;
  readonly minElements: number;

  constructor(options: ConstantPolicyOptions = {}) {
    this.enabled = options.enabled ?? true;
    this.minElements = options.minElements ?? 1;
  }

  /** Whether `v` (a materialised input of the graph being planned) is a constant. */
  isConstant(v: GraphValue): boolean {
    // Disposed while still read by the graph: being replaced (an optimizer's state assigned a
    // new value) or freed — the last graph that reads it is no reason to compile it in.
    if (!this.enabled || !v.frozen || v.disposed || v.dtype !== 'float32') return false;
    let n = 1;
    for (const d of v.shape) n *= d;
    return n >= this.minElements;
  }
}
