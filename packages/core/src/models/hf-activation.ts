/**
 * Hugging Face activation names (transformers `activations.py`, `ACT2FN`) on the engine's ops.
 * `gelu_new`, `gelu_fast` and `gelu_pytorch_tanh` are all the tanh approximation.
 */
import type { HfActivation } from '../checkpoint/hf-config-schema.js';
import type { Engine } from '../engine/engine.js';
import type { Tensor } from '../engine/tensor.js';

export function applyActivation(e: Engine, name: HfActivation, x: Tensor): Tensor {
  switch (name) {
    case 'gelu_new':
    case 'gelu_fast':
    case 'gelu_pytorch_tanh':
      return e.gelu(x);
    case 'gelu':
      return e.geluErf(x);
    case 'quick_gelu':
      return e.quickGelu(x);
    case 'relu':
      return e.relu(x);
    case 'silu':
    case 'swish':
      return e.mul(x, e.sigmoid(x));
    case 'tanh':
      return e.tanh(x);
  }
}
