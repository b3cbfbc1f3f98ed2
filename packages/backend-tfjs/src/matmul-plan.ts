/**
 * How to run one matmul on a tfjs backend fast: whether to fold a's batch dims into rows and
 * whether to transpose an operand explicitly instead of passing tfjs's transpose flag.
 *
 * Measured on tfjs-backend-wasm 4.22 (XNNPACK, SIMD, one thread; grid in bench/op-bench.ts,
 * "matmul transpose" rows): only a 2-D product with both flags off reaches the fast kernel.
 *  - 2-D with a transpose flag is 5–20× slower than `transpose` + plain matmul once the other
 *    side has ≥ 16 rows (e.g. [240,192]·[48,192]ᵀ), for small and big operands alike. For 1–4
 *    rows (decoding against a big weight, e.g. the tied LM head) the flag wins: the explicit
 *    transpose costs O(operand), the product only O(rows · operand).
 *  - Batched products run a slow kernel with or without flags (transposing changes nothing),
 *    but a batch against one matrix ([B, T, C]·[C, D]) folded into [B·T, C]·[C, D] is 10–30×
 *    faster.
 * On tfjs-backend-cpu the flags cost nothing (explicit transposes were 0–50% slower), and
 * libtensorflow ("tensorflow") handles transposed operands natively: both keep the flags.
 */

export interface MatmulPlanInput {
  /** The tfjs backend name: "wasm", "cpu", "tensorflow", … */
  readonly tfBackend: string;
  readonly aShape: readonly number[];
  readonly bShape: readonly number[];
  readonly transposeA: boolean;
  readonly transposeB: boolean;
}

export interface MatmulPlan {
  /** Fold a's batch dims into its rows (b has a batch of one): [..., M, K] → [prod·M, K]. */
  readonly foldBatchA: boolean;
  /** Transpose a's last two axes with `tf.transpose` and call matMul without transposeA. */
  readonly explicitA: boolean;
  /** Transpose b's last two axes with `tf.transpose` and call matMul without transposeB. */
  readonly explicitB: boolean;
}

/** Rows (or columns) of the other side from which an explicit transpose pays off on wasm. */
export const WASM_MIN_ROWS = 16;
/** Operand size from which a transpose is slow enough (cache misses) to need twice the rows. */
export const WASM_BIG_OPERAND = 1 << 20;

const KEEP_FLAGS: MatmulPlan = { foldBatchA: false, explicitA: false, explicitB: false };

export function planMatmul(input: MatmulPlanInput): MatmulPlan {
  if (input.tfBackend !== 'wasm') return KEEP_FLAGS;
  const { aShape, bShape, transposeA, transposeB } = input;
  const batchA = product(aShape.slice(0, -2));
  const batchB = product(bShape.slice(0, -2));
  const foldBatchA = batchA > 1 && batchB === 1;
  if (batchA > 1 && !foldBatchA) return KEEP_FLAGS; // batched kernel: as slow either way
  if (batchB > 1) return KEEP_FLAGS;
  // The product is now 2-D: [m, k] · [k, n], m counting a's folded batch.
  const m = batchA * (transposeA ? aShape.at(-1)! : aShape.at(-2)!);
  const n = transposeB ? bShape.at(-2)! : bShape.at(-1)!;
  const pays = (operandSize: number, otherRows: number) =>
    otherRows >= (operandSize >= WASM_BIG_OPERAND ? 2 * WASM_MIN_ROWS : WASM_MIN_ROWS);
  return {
    foldBatchA,
    // Folding needs a in [..., M, K] layout, so a folded transposed a is always transposed first.
    explicitA: transposeA && (foldBatchA || pays(product(aShape), n)),
    explicitB: transposeB && pays(product(bShape), m),
  };
}

function product(shape: readonly number[]): number {
  return shape.reduce((x, y) => x * y, 1);
}
