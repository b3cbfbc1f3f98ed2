/**
 * Options and counters of the onnx backend (onnx-backend.ts).
 */
import type { OnnxDevice, Ort } from './ort-runtime.js';
import type { ConstantPolicyOptions } from './record/constant-policy.js';
import type { RunnerStats } from './record/graph-runner.js';
import type { TransposedWeightsOptions } from './record/transposed-weights.js';

export interface OnnxBackendOptions {
  /** The loaded `onnxruntime-node` module (ort-runtime.ts `loadOrt`). */
  readonly ort: Ort;
  readonly device: OnnxDevice;
  /** Compiled sessions kept (least recently used evicted). @default 64 */
  readonly maxSessions?: number;
  /** Kernel calls allowed between two runs. @default 200000 */
  readonly maxPendingOps?: number;
  /** Fills up to this many elements are made on the host; larger ones are a scalar expanded in the graph. @default 65536 */
  readonly eagerFillLimit?: number;
  /** Which frozen weights become pre-packed constants of the sessions that read them (record/constant-policy.ts). */
  readonly constants?: ConstantPolicyOptions;
  /**
   * ORT's intra-op worker threads spin between the ops of a run (and stop when it ends) instead
   * of sleeping and being woken for every parallel op. Faster on an idle machine, slower when
   * other processes compete for the cores. @default false
   */
  readonly threadSpinning?: boolean;
  /**
   * ORT's CPU memory arena (`enableCpuMemArena`) and memory-pattern planning
   * (`enableMemPattern`), per session. Off, the I-Tuning train step bench peaked at ~2.9 GB RSS
   * instead of ~4.2 GB; its speed and decoding speed moved less than this machine's run-to-run
   * noise (README, "Memory"). @default { arena: true, pattern: true }
   */
  readonly memory?: { readonly arena?: boolean; readonly pattern?: boolean };
  /** Transposed copies of large frozen weights read as `x·wᵀ` by one row (record/transposed-weights.ts). */
  readonly transposedWeights?: TransposedWeightsOptions;
  /**
   * Peephole fusion of each recorded batch (record/fuse-records.ts): matmul+bias as Gemm, core's
   * linear as MatMul (+ Add or com.microsoft FastGelu), q/k/v slices as Split, the
   * attention block with its KV cache as MultiHeadAttention, quick_gelu as QuickGelu, … @default true
   */
  readonly fuse?: boolean;
  /** Bytes of constants all cached sessions may hold; each session pre-packs its own copy. @default half the machine's memory, at least 4 GiB (record/constant-policy.ts) */
  readonly maxConstantBytes?: number;
}

export interface OnnxBackendStats extends RunnerStats {
  /** Kernel calls recorded and not run yet. */
  readonly pendingOps: number;
  /** Records fused away into others (record/fuse-records.ts) over all runs. */
  readonly fusedAway: number;
  readonly cachedSessions: number;
  /** Bytes of constants (pre-packed weights) held by cached sessions. */
  readonly cachedConstantBytes: number;
  /** Bytes of transposed weight copies held (record/transposed-weights.ts). */
  readonly transposedWeightBytes: number;
}
