#!/usr/bin/env python3
"""Naive float64 numpy forward of GPT-2 and OPT, for goldens captune's models are tested against.

An independent second implementation, written from huggingface/transformers
`models/gpt2/modeling_gpt2.py` (GPT2LMHeadModel, eager attention, `prepare_inputs_for_generation`
position ids) and `models/opt/modeling_opt.py` (OPTForCausalLM, OPTLearnedPositionalEmbedding).
Reads safetensors itself (header parse; F32 / F16 / BF16), numpy only.

Usage: numpy_lm_reference.py FOLDER [FOLDER ...]
Writes FOLDER/goldens.json: logits of a single sequence (all positions, full vocabulary),
logits of left- and right-padded batches (at real positions: logsumexp, argmax and the logits of
a few probe ids), and greedy continuations of the left-padded batch (full recomputation each step).
"""
import json
import math
import struct
import sys
from pathlib import Path

import numpy as np

F32_MIN = float(np.finfo(np.float32).min)  # the mask value transformers uses


def read_safetensors(path):
    raw = Path(path).read_bytes()
    (n,) = struct.unpack('<Q', raw[:8])
    header = json.loads(raw[8:8 + n])
    data = raw[8 + n:]
    out = {}
    for name, info in header.items():
        if name == '__metadata__':
            continue
        a, b = info['data_offsets']
        buf = data[a:b]
        shape = info['shape']
        dt = info['dtype']
        if dt == 'F32':
            arr = np.frombuffer(buf, dtype='<f4')
        elif dt == 'F16':
            arr = np.frombuffer(buf, dtype='<f2')
        elif dt == 'BF16':
            bits = np.frombuffer(buf, dtype='<u2').astype(np.uint32) << 16
            arr = bits.view(np.float32)
        else:
            raise ValueError(f'{path}: {name}: unsupported dtype {dt}')
        out[name] = arr.astype(np.float64).reshape(shape)
    return out


def layer_norm(x, g, b, eps):
    mu = x.mean(-1, keepdims=True)
    var = ((x - mu) ** 2).mean(-1, keepdims=True)
    return (x - mu) / np.sqrt(var + eps) * g + b


def softmax(x):
    m = x.max(-1, keepdims=True)
    e = np.exp(x - m)
    return e / e.sum(-1, keepdims=True)


def gelu_new(x):
    return 0.5 * x * (1.0 + np.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x ** 3)))


def relu(x):
    return np.maximum(x, 0)


def split_heads(x, h):
    b, t, c = x.shape
    return x.reshape(b, t, h, c // h).transpose(0, 2, 1, 3)


def merge_heads(x):
    b, h, t, d = x.shape
    return x.transpose(0, 2, 1, 3).reshape(b, t, h * d)


def masked_scores(w, mask):
    """Causal mask then padding mask, each with the float32 minimum, as GPT-2's eager attention does."""
    t = w.shape[-1]
    causal = np.tril(np.ones((t, t), dtype=bool))
    w = np.where(causal, w, F32_MIN)
    return w + (1.0 - mask)[:, None, None, :] * F32_MIN


def gpt2_logits(W, cfg, ids, mask):
    pre = 'transformer.' if 'transformer.wte.weight' in W else ''
    g = lambda n: W[pre + n]
    eps = cfg.get('layer_norm_epsilon', 1e-5)
    H = cfg['n_head']
    pos = np.cumsum(mask, -1).astype(np.int64) - 1
    pos = np.where(mask == 0, 1, pos)  # prepare_inputs_for_generation: masked_fill_(mask == 0, 1)
    h = g('wte.weight')[ids] + g('wpe.weight')[pos]
    for i in range(cfg['n_layer']):
        p = f'h.{i}.'
        a = layer_norm(h, g(p + 'ln_1.weight'), g(p + 'ln_1.bias'), eps)
        qkv = a @ g(p + 'attn.c_attn.weight') + g(p + 'attn.c_attn.bias')
        q, k, v = np.split(qkv, 3, axis=-1)
        q, k, v = split_heads(q, H), split_heads(k, H), split_heads(v, H)
        w = q @ k.transpose(0, 1, 3, 2)
        if cfg.get('scale_attn_weights', True):
            w = w / math.sqrt(v.shape[-1])
        if cfg.get('scale_attn_by_inverse_layer_idx', False):
            w = w / float(i + 1)
        o = merge_heads(softmax(masked_scores(w, mask)) @ v)
        h = h + (o @ g(p + 'attn.c_proj.weight') + g(p + 'attn.c_proj.bias'))
        m = layer_norm(h, g(p + 'ln_2.weight'), g(p + 'ln_2.bias'), eps)
        m = gelu_new(m @ g(p + 'mlp.c_fc.weight') + g(p + 'mlp.c_fc.bias'))
        h = h + (m @ g(p + 'mlp.c_proj.weight') + g(p + 'mlp.c_proj.bias'))
    h = layer_norm(h, g('ln_f.weight'), g('ln_f.bias'), eps)
    return h @ g('wte.weight').T


def opt_logits(W, cfg, ids, mask):
    pre = 'model.decoder.' if 'model.decoder.embed_tokens.weight' in W else 'decoder.'
    g = lambda n: W[pre + n]
    lin = lambda x, n: x @ g(n + '.weight').T + g(n + '.bias')
    H = cfg['num_attention_heads']
    C = cfg['hidden_size']
    before = cfg.get('do_layer_norm_before', True)
    eps = 1e-5
    x = g('embed_tokens.weight')[ids]
    if pre + 'project_in.weight' in W:
        x = x @ g('project_in.weight').T
    pos = (np.cumsum(mask, -1) * mask).astype(np.int64) - 1  # OPTLearnedPositionalEmbedding
    h = x + g('embed_positions.weight')[pos + 2]
    scaling = (C // H) ** -0.5
    for i in range(cfg['num_hidden_layers']):
        p = f'layers.{i}.'
        ln1 = lambda y: layer_norm(y, g(p + 'self_attn_layer_norm.weight'), g(p + 'self_attn_layer_norm.bias'), eps)
        ln2 = lambda y: layer_norm(y, g(p + 'final_layer_norm.weight'), g(p + 'final_layer_norm.bias'), eps)
        res = h
        if before:
            h = ln1(h)
        q = split_heads(lin(h, p + 'self_attn.q_proj') * scaling, H)
        k = split_heads(lin(h, p + 'self_attn.k_proj'), H)
        v = split_heads(lin(h, p + 'self_attn.v_proj'), H)
        w = masked_scores(q @ k.transpose(0, 1, 3, 2), mask)
        h = res + lin(merge_heads(softmax(w) @ v), p + 'self_attn.out_proj')
        if not before:
            h = ln1(h)
        res = h
        if before:
            h = ln2(h)
        h = res + lin(relu(lin(h, p + 'fc1')), p + 'fc2')
        if not before:
            h = ln2(h)
    if before and not cfg.get('_remove_final_layer_norm', False):
        h = layer_norm(h, g('final_layer_norm.weight'), g('final_layer_norm.bias'), eps)
    if pre + 'project_out.weight' in W:
        h = h @ g('project_out.weight').T
    return h @ g('embed_tokens.weight').T


def pad_batch(seqs, pad_id, side):
    t = max(len(s) for s in seqs)
    ids, mask = [], []
    for s in seqs:
        n = t - len(s)
        if side == 'left':
            ids.append([pad_id] * n + s)
            mask.append([0] * n + [1] * len(s))
        else:
            ids.append(s + [pad_id] * n)
            mask.append([1] * len(s) + [0] * n)
    return np.array(ids), np.array(mask, dtype=np.float64)


def fmt(x):
    return float(f'{x:.9g}')


def main(folder):
    folder = Path(folder)
    cfg = json.loads((folder / 'config.json').read_text())
    W = read_safetensors(folder / 'model.safetensors')
    forward = {'gpt2': gpt2_logits, 'opt': opt_logits}[cfg['model_type']]
    V = cfg['vocab_size']
    pad_id = cfg.get('pad_token_id') or cfg['eos_token_id']
    rng = np.random.default_rng(1234)
    single = [int(i) for i in rng.integers(0, V, 6)]
    batch = [[int(i) for i in rng.integers(0, V, n)] for n in (6, 4, 2)]
    probe = [int(i) for i in rng.choice(V, 16, replace=False)]
    out = {
        'source': 'packages/core/scripts/numpy_lm_reference.py (float64 numpy, transformers eager semantics)',
        'model_type': cfg['model_type'],
        'single': {'input_ids': [single]},
        'probe_ids': probe,
    }
    ids = np.array([single])
    logits = forward(W, cfg, ids, np.ones(ids.shape))
    out['single']['logits'] = [[[fmt(v) for v in row] for row in logits[0]]]
    for side in ('left', 'right'):
        ids, mask = pad_batch(batch, pad_id, side)
        logits = forward(W, cfg, ids, mask)
        lse = np.log(np.exp(logits - logits.max(-1, keepdims=True)).sum(-1)) + logits.max(-1)
        real = mask == 1
        case = {
            'input_ids': ids.tolist(),
            'attention_mask': mask.astype(int).tolist(),
            'logsumexp': [[fmt(lse[b, t]) if real[b, t] else None for t in range(ids.shape[1])] for b in range(len(batch))],
            'argmax': [[int(logits[b, t].argmax()) if real[b, t] else None for t in range(ids.shape[1])] for b in range(len(batch))],
            'probe_logits': [
                [[fmt(logits[b, t, j]) for j in probe] if real[b, t] else None for t in range(ids.shape[1])] for b in range(len(batch))
            ],
        }
        out[f'{side}_padded'] = case
    # Greedy continuation of the left-padded batch, recomputing the whole sequence every step.
    ids, mask = pad_batch(batch, pad_id, 'left')
    tokens, margins = [], []
    for _ in range(5):
        last = forward(W, cfg, ids, mask)[:, -1]
        order = np.argsort(-last, -1)
        nxt = order[:, 0]
        margins.append(float((last[np.arange(len(batch)), order[:, 0]] - last[np.arange(len(batch)), order[:, 1]]).min()))
        tokens.append(nxt.tolist())
        ids = np.concatenate([ids, nxt[:, None]], 1)
        mask = np.concatenate([mask, np.ones((len(batch), 1))], 1)
    out['greedy'] = {
        'input_ids': pad_batch(batch, pad_id, 'left')[0].tolist(),
        'attention_mask': pad_batch(batch, pad_id, 'left')[1].astype(int).tolist(),
        'tokens': np.array(tokens).T.tolist(),
        'min_top2_margin': min(margins),
    }
    (folder / 'goldens.json').write_text(json.dumps(out, separators=(',', ':')) + '\n')
    print(f'{folder}/goldens.json: greedy margin {min(margins):.3g}')


if __name__ == '__main__':
    for f in sys.argv[1:]:
        main(f)
