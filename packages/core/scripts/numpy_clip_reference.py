#!/usr/bin/env python3
"""Second, naive implementation of CLIP's forward pass for goldens.

Follows huggingface/transformers models/clip/modeling_clip.py (CLIPVisionTransformer,
CLIPTextTransformer, CLIPModel.forward) in numpy float64, reading model.safetensors directly
(JSON header + raw little-endian data). The patch embedding is computed as an explicit
convolution loop (stride = kernel = patch), independent of captune's patchify + matmul.

Writes packages/core/src/models/testing/tiny-clip-goldens.json for the committed tiny CLIP.
Run: python3 packages/core/scripts/numpy_clip_reference.py
"""
import json
import math
import os
import struct

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
FOLDER = os.path.join(HERE, "../src/models/testing/tiny-clip")
OUT = os.path.join(HERE, "../src/models/testing/tiny-clip-goldens.json")

DTYPES = {"F32": np.float32, "I64": np.int64, "F16": np.float16}


def read_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + n])
    base = 8 + n
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        b, e = info["data_offsets"]
        arr = np.frombuffer(data[base + b : base + e], dtype=DTYPES[info["dtype"]]).reshape(info["shape"])
        out[name] = arr.astype(np.float64) if arr.dtype != np.int64 else arr
    return out


def layer_norm(x, w, b, eps):
    mu = x.mean(-1, keepdims=True)
    var = ((x - mu) ** 2).mean(-1, keepdims=True)
    return (x - mu) / np.sqrt(var + eps) * w + b


def act_fn(name):
    if name == "quick_gelu":
        return lambda x: x * (1.0 / (1.0 + np.exp(-1.702 * x)))
    if name == "gelu":
        erf = np.vectorize(math.erf)
        return lambda x: 0.5 * x * (1.0 + erf(x / math.sqrt(2.0)))
    raise ValueError(name)


def linear(x, W, prefix, bias=True):
    y = x @ W[prefix + ".weight"].T
    return y + W[prefix + ".bias"] if bias else y


def softmax(x):
    m = x.max(-1, keepdims=True)
    e = np.exp(x - m)
    return e / e.sum(-1, keepdims=True)


def encoder(x, W, prefix, cfg, mask):
    heads = cfg["num_attention_heads"]
    eps = cfg["layer_norm_eps"]
    act = act_fn(cfg["hidden_act"])
    B, T, C = x.shape
    D = C // heads
    for i in range(cfg["num_hidden_layers"]):
        p = f"{prefix}.encoder.layers.{i}"
        res = x
        h = layer_norm(x, W[p + ".layer_norm1.weight"], W[p + ".layer_norm1.bias"], eps)
        q = linear(h, W, p + ".self_attn.q_proj") * D**-0.5
        k = linear(h, W, p + ".self_attn.k_proj")
        v = linear(h, W, p + ".self_attn.v_proj")
        q, k, v = (t.reshape(B, T, heads, D).transpose(0, 2, 1, 3) for t in (q, k, v))
        s = q @ k.transpose(0, 1, 3, 2)
        if mask is not None:
            s = s + mask
        a = (softmax(s) @ v).transpose(0, 2, 1, 3).reshape(B, T, C)
        x = res + linear(a, W, p + ".self_attn.out_proj")
        res = x
        h = layer_norm(x, W[p + ".layer_norm2.weight"], W[p + ".layer_norm2.bias"], eps)
        x = res + linear(act(linear(h, W, p + ".mlp.fc1")), W, p + ".mlp.fc2")
    return x


def vision_forward(pixels, W, cfg):
    vc = cfg["vision_config"]
    p = vc["patch_size"]
    B, Ch, H, Wd = pixels.shape
    kernel = W["vision_model.embeddings.patch_embedding.weight"]  # [C, 3, p, p]
    C = kernel.shape[0]
    gh, gw = H // p, Wd // p
    patches = np.zeros((B, gh * gw, C))
    for b in range(B):
        for i in range(gh):
            for j in range(gw):
                window = pixels[b, :, i * p : (i + 1) * p, j * p : (j + 1) * p]
                patches[b, i * gw + j] = np.tensordot(kernel, window, axes=([1, 2, 3], [0, 1, 2]))
    cls = np.broadcast_to(W["vision_model.embeddings.class_embedding"], (B, 1, C))
    x = np.concatenate([cls, patches], axis=1) + W["vision_model.embeddings.position_embedding.weight"]
    eps = vc["layer_norm_eps"]
    x = layer_norm(x, W["vision_model.pre_layrnorm.weight"], W["vision_model.pre_layrnorm.bias"], eps)
    last = encoder(x, W, "vision_model", vc, None)
    post = layer_norm(last, W["vision_model.post_layernorm.weight"], W["vision_model.post_layernorm.bias"], eps)
    pooled = post[:, 0, :]
    embeds = pooled @ W["visual_projection.weight"].T
    return {"lastHiddenState": last, "tokensPostLn": post, "pooled": pooled, "embeds": embeds}


def text_forward(ids, W, cfg):
    tc = cfg["text_config"]
    B, T = ids.shape
    x = W["text_model.embeddings.token_embedding.weight"][ids] + W["text_model.embeddings.position_embedding.weight"][:T]
    mask = np.triu(np.full((T, T), np.finfo(np.float64).min), 1)[None, None]
    h = encoder(x, W, "text_model", tc, mask)
    last = layer_norm(h, W["text_model.final_layer_norm.weight"], W["text_model.final_layer_norm.bias"], tc["layer_norm_eps"])
    eos = tc["eos_token_id"]
    if eos == 2:
        idx = ids.argmax(-1)
    else:
        idx = (ids == eos).astype(np.int64).argmax(-1)
    pooled = last[np.arange(B), idx]
    embeds = pooled @ W["text_projection.weight"].T
    return {"lastHiddenState": last, "pooled": pooled, "embeds": embeds}


def main():
    cfg = json.load(open(os.path.join(FOLDER, "config.json")))
    vocab = json.load(open(os.path.join(FOLDER, "vocab.json")))
    W = read_safetensors(os.path.join(FOLDER, "model.safetensors"))
    rng = np.random.default_rng(1234)
    s = cfg["vision_config"]["image_size"]
    pixels = rng.standard_normal((2, 3, s, s)).astype(np.float32)
    T = cfg["text_config"]["max_position_embeddings"]
    sot, eot = vocab["<|startoftext|>"], vocab["<|endoftext|>"]
    rows = []
    for text in ["a photo of a red circle", "the big blue square"]:
        row = [sot] + [vocab[w + "</w>"] for w in text.split()] + [eot]
        rows.append(row + [0] * (T - len(row)))
    ids = np.array(rows, dtype=np.int64)
    vis = vision_forward(pixels.astype(np.float64), W, cfg)
    txt = text_forward(ids, W, cfg)
    img = vis["embeds"] / np.linalg.norm(vis["embeds"], axis=-1, keepdims=True)
    tex = txt["embeds"] / np.linalg.norm(txt["embeds"], axis=-1, keepdims=True)
    logits = np.exp(W["logit_scale"]) * img @ tex.T

    def pack(a):
        return {"shape": list(a.shape), "data": [float(f"{v:.10g}") for v in np.asarray(a).ravel()]}

    goldens = {
        "provenance": "packages/core/scripts/numpy_clip_reference.py (numpy float64, modeling_clip.py semantics) on tiny-clip/",
        "inputs": {"pixels": pack(pixels), "ids": rows},
        "vision": {k: pack(v) for k, v in vis.items()},
        "text": {k: pack(v) for k, v in txt.items()},
        "logitsPerImage": pack(logits),
    }
    with open(OUT, "w") as f:
        json.dump(goldens, f, separators=(",", ":"))
    print("wrote", OUT)


if __name__ == "__main__":
    main()
