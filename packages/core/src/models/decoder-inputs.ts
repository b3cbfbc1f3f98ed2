/**
 * Host-side preparation of a decoder forward's inputs from the padding mask: position ids as
 * Hugging Face computes them for padded batches (`GPT2LMHeadModel.prepare_inputs_for_generation`:
 * `cumsum(mask) - 1`; OPT's `OPTLearnedPositionalEmbedding`: `cumsum(mask) * mask - 1`) and one
 * additive attention mask combining causality and padding (0 = attend, MASKED = not), as
 * `modeling_gpt2.py`'s eager attention applies with `torch.finfo(dtype).min`.
 */
import { CaptuneError } from '../errors/captune-error.js';
import type { AttentionMask } from './language-decoder.js';

/**
 * Score added at masked positions. Large and finite: a fully masked row (a left-padding query)
 * becomes a uniform softmax instead of NaN, and `score + MASKED` cannot overflow to -inf.
 */
export const MASKED = -1e9;

export interface DecoderInputs {
  /** [B * T] row-major: `cumsum(mask) - 1` over cached + new positions, new positions only; -1 at padding. */
  readonly positions: Int32Array;
  /** Largest position id of a real token (-1 if none). */
  readonly maxPosition: number;
  /** Additive mask [maskBatch, 1, T, Tpast + T] or null when nothing is masked. */
  readonly mask: Float32Array | null;
  readonly maskBatch: number;
}

export interface PrepareDecoderInputsArgs {
  readonly batch: number;
  /** New positions (T). */
  readonly length: number;
  /** Cached positions (Tpast). */
  readonly pastLength: number;
  readonly attentionMask?: AttentionMask;
}

function checkMask(mask: AttentionMask, batch: number, total: number, pastLength: number): void {
  if (mask.length !== batch) throw new CaptuneError(`attentionMask: has ${mask.length} rows, expected ${batch} (one per batch row)`);
  mask.forEach((row, b) => {
    if (row.length !== total) {
      throw new CaptuneError(
        `attentionMask: row ${b} has ${row.length} entries, expected ${total} (${pastLength} cached + ${total - pastLength} new positions)`,
      );
    }
    for (let j = 0; j < row.length; j++) {
      if (row[j] !== 0 && row[j] !== 1) throw new CaptuneError(`attentionMask: row ${b} entry ${j} is ${row[j]}, expected 0 or 1`);
    }
  });
}

export function prepareDecoderInputs(args: PrepareDecoderInputsArgs): DecoderInputs {
  const { batch: B, length: T, pastLength: P, attentionMask } = args;
  const L = P + T;
  const positions = new Int32Array(B * T);
  let maxPosition = -1;
  if (!attentionMask) {
    for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) positions[b * T + t] = P + t;
    maxPosition = L - 1;
    if (T === 1) return { positions, maxPosition, mask: null, maskBatch: 1 };
    const mask = new Float32Array(T * L); // [1, 1, T, L]
    for (let t = 0; t < T; t++) for (let j = P + t + 1; j < L; j++) mask[t * L + j] = MASKED;
    return { positions, maxPosition, mask, maskBatch: 1 };
  }
  checkMask(attentionMask, B, L, P);
  const mask = new Float32Array(B * T * L); // [B, 1, T, L]
  let anyMasked = T > 1;
  for (let b = 0; b < B; b++) {
    const row = attentionMask[b]!;
    let count = 0;
    for (let j = 0; j < L; j++) {
      const real = row[j] === 1;
      if (real) count++;
      if (j >= P) {
        const t = j - P;
        const pos = real ? count - 1 : -1;
        positions[b * T + t] = pos;
        maxPosition = Math.max(maxPosition, pos);
      }
      if (!real) {
        anyMasked = true;
        for (let t = 0; t < T; t++) mask[(b * T + t) * L + j] = MASKED;
      }
    }
    for (let t = 0; t < T; t++) for (let j = P + t + 1; j < L; j++) mask[(b * T + t) * L + j] = MASKED;
  }
  return { positions, maxPosition, mask: anyMasked ? mask : null, maskBatch: B };
}

/** Checks the longest position against the model's position table. */
export function checkPositions(inputs: DecoderInputs, maxPositions: number, model: string): void {
  if (inputs.maxPosition >= maxPositions) {
    throw new CaptuneError(
      `${model}: position ${inputs.maxPosition} is beyond the model's ${maxPositions} positions (shorten the input or the generation length)`,
    );
  }
}
