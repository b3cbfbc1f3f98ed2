#!/usr/bin/env python3
"""Goldens for the `captune embed`, `generate` and `lm-score` command tests.

Reuses captune's two independent numpy float64 references (nothing here runs captune code):
- packages/core/scripts/numpy_clip_reference.py: CLIP forward (modeling_clip.py semantics);
- packages/core/scripts/pil_resample_reference.py: Pillow's bicubic resampling and openai/CLIP's
  `_transform` (Resize, CenterCrop, ToTensor, Normalize), line by line from Resample.c;
- packages/core/scripts/numpy_lm_reference.py: GPT-2 and OPT forwards (transformers semantics).

Writes, into packages/cli/src/commands/fixtures/:
- two PNG files (8-bit RGB, written here with zlib; pixels from integer formulas): one already
  at the tiny CLIP's 32x32 crop size and one 48x40 that goes through the bicubic resize and
  center crop;
- cli-goldens.json: projected CLIP embeddings (before and after L2 normalisation) of those
  images and of two texts on the tiny CLIP; the log-probabilities of a sequence on the tiny GPT-2
  (log_softmax at every position, gathered); greedy continuations with their log-probabilities
  (full recomputation each step); on the tiny OPT, a greedy continuation that ends with EOS.

Run: python3 packages/cli/scripts/cli_goldens.py
"""
import json
import os
import struct
import sys
import zlib

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
CORE = os.path.join(HERE, "../../core")
sys.path.insert(0, os.path.join(CORE, "scripts"))

import numpy_clip_reference as clipref  # noqa: E402
import numpy_lm_reference as lmref  # noqa: E402
import pil_resample_reference as pilref  # noqa: E402

OUT = os.path.join(HERE, "../src/commands/fixtures")
CLIP = os.path.join(CORE, "src/models/testing/tiny-clip")
LM_FIXTURES = os.path.join(CORE, "src/models/testing/fixtures")


def write_png(path, img):
    """uint8 [H, W, 3] -> PNG (colour type 2, bit depth 8, filter 0 on every row)."""
    h, w, _ = img.shape

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + img[y].tobytes() for y in range(h))
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
    png += chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")
    with open(path, "wb") as f:
        f.write(png)


def circle_image(w, h):
    """A red disc on a diagonal blue-green gradient."""
    y, x = np.meshgrid(np.arange(h), np.arange(w), indexing="ij")
    img = np.zeros((h, w, 3), dtype=np.int64)
    img[..., 0] = (x * 3 + y) % 256
    img[..., 1] = (x * 5 + y * 7) % 256
    img[..., 2] = 200 - (x + y) % 200
    disc = (x - w // 2) ** 2 + (y - h // 2) ** 2 <= (min(w, h) // 3) ** 2
    img[disc] = [230, 20, 30]
    return img.astype(np.uint8)


def noise_image(w, h):
    return pilref.pattern("noise", w, h, 3)


def unit(v):
    return v / np.linalg.norm(v, axis=-1, keepdims=True)


def pack(a):
    return [float(f"{v:.10g}") for v in np.asarray(a).ravel()]


def clip_goldens():
    cfg = json.load(open(os.path.join(CLIP, "config.json")))
    pre = json.load(open(os.path.join(CLIP, "preprocessor_config.json")))
    vocab = json.load(open(os.path.join(CLIP, "vocab.json")))
    W = clipref.read_safetensors(os.path.join(CLIP, "model.safetensors"))
    n_px = pre["crop_size"]["height"]
    images = [("circle-32x32.png", circle_image(32, 32)), ("noise-48x40.png", noise_image(48, 40))]
    pixels = []
    for name, img in images:
        write_png(os.path.join(OUT, name), img)
        pixels.append(pilref.clip_transform(img, n_px, pre["image_mean"], pre["image_std"]))
    vis = clipref.vision_forward(np.stack(pixels).astype(np.float64), W, cfg)
    texts = ["a photo of a red circle", "the big blue square"]
    T = cfg["text_config"]["max_position_embeddings"]
    sot, eot = vocab["<|startoftext|>"], vocab["<|endoftext|>"]
    rows = []
    for text in texts:
        row = [sot] + [vocab[w + "</w>"] for w in text.split()] + [eot]
        rows.append(row + [0] * (T - len(row)))
    txt = clipref.text_forward(np.array(rows, dtype=np.int64), W, cfg)
    cosine = unit(vis["embeds"]) @ unit(txt["embeds"]).T
    return {
        "images": [
            {"file": name, "raw": pack(r), "embedding": pack(unit(r))} for (name, _), r in zip(images, vis["embeds"])
        ],
        "texts": [
            {"text": t, "ids": [i for i in row if i != 0], "raw": pack(r), "embedding": pack(unit(r))}
            for t, row, r in zip(texts, rows, txt["embeds"])
        ],
        "cosine": [pack(row) for row in cosine],
    }


def log_softmax(x):
    m = x.max(-1, keepdims=True)
    return x - m - np.log(np.exp(x - m).sum(-1, keepdims=True))


def lm_model(name):
    folder = os.path.join(LM_FIXTURES, name)
    cfg = json.load(open(os.path.join(folder, "config.json")))
    W = lmref.read_safetensors(os.path.join(folder, "model.safetensors"))
    forward = {"gpt2": lmref.gpt2_logits, "opt": lmref.opt_logits}[cfg["model_type"]]

    def logits(ids):
        a = np.array([ids])
        return forward(W, cfg, a, np.ones(a.shape))[0]  # [T, V]

    return cfg, logits


def greedy(cfg, logits, prompt, steps):
    """Greedy with full recomputation; the EOS token ends (and is part of) the continuation."""
    ids, out, lps, margin = list(prompt), [], [], float("inf")
    for _ in range(steps):
        lp = log_softmax(logits(ids)[-1])
        order = np.argsort(-lp)
        margin = min(margin, float(lp[order[0]] - lp[order[1]]))
        t = int(order[0])
        out.append(t)
        lps.append(float(lp[t]))
        ids.append(t)
        if t == cfg["eos_token_id"]:
            break
    return {"prompt_ids": list(prompt), "max_new_tokens": steps, "generated_ids": out, "logprobs": lps, "min_top2_margin": margin}


def lm_goldens():
    cfg, logits = lm_model("tiny-gpt2")
    rng = np.random.default_rng(7)
    score_ids = [int(i) for i in rng.integers(0, cfg["vocab_size"] - 1, 9)]
    lp = log_softmax(logits(score_ids))
    score = {"ids": score_ids, "logprobs": [None] + [float(lp[i - 1, score_ids[i]]) for i in range(1, len(score_ids))]}
    plain = greedy(cfg, logits, [31, 78, 41, 95, 160, 35], 8)
    # tiny-opt: a prompt whose greedy continuation ends with EOS within 8 tokens (fixed-seed search).
    ocfg, ologits = lm_model("tiny-opt")
    ending = None
    for _ in range(400):
        prompt = [int(i) for i in rng.integers(3, ocfg["vocab_size"], 3)]
        cand = greedy(ocfg, ologits, prompt, 8)
        if cand["generated_ids"][-1] == ocfg["eos_token_id"] and len(cand["generated_ids"]) >= 2 and cand["min_top2_margin"] > 1e-3:
            ending = cand
            break
    assert ending is not None, "no prompt found whose greedy continuation ends with EOS"
    return {"tiny-gpt2": {"lm_score": score, "greedy": plain}, "tiny-opt": {"greedy_eos": ending}}


def main():
    os.makedirs(OUT, exist_ok=True)
    out = {
        "provenance": "packages/cli/scripts/cli_goldens.py (numpy float64 references of packages/core/scripts)",
        "clip": clip_goldens(),
        "lm": lm_goldens(),
    }
    path = os.path.join(OUT, "cli-goldens.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
    g = out["lm"]
    print("wrote", path, "| greedy margins", g["tiny-gpt2"]["greedy"]["min_top2_margin"], g["tiny-opt"]["greedy_eos"]["min_top2_margin"])


if __name__ == "__main__":
    main()
