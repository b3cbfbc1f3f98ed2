#!/usr/bin/env python3
"""Python transcription of Pillow's 8-bit resampling and openai/CLIP's preprocessing, for goldens.

Resampling follows python-pillow/Pillow src/libImaging/Resample.c line by line
(precompute_coeffs, normalize_coeffs_8bpc, ImagingResampleHorizontal_8bpc / Vertical_8bpc,
ImagingResampleInner): double coefficients normalised to sum 1, fixed point with
PRECISION_BITS = 22 (int() truncation after +-0.5), accumulation from 1 << 21, arithmetic shift
and clip to 0..255 after each pass, horizontal pass first, a pass skipped when its size is kept.

Preprocessing follows openai/CLIP clip/clip.py `_transform(n_px)` on PIL images: torchvision
Resize(n_px, BICUBIC) (short side to n_px, long side int(n_px * long / short)), CenterCrop
(top = int(round((h - n_px) / 2.0)), Python's round-half-even), ToTensor (float32 / 255),
Normalize (float32 (x - mean) / std).

Test images come from integer formulas that captune's test reproduces exactly.
Writes packages/core/src/images/pil-resample-goldens.json.
Run: python3 packages/core/scripts/pil_resample_reference.py
"""
import base64
import hashlib
import json
import math
import os

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "../src/images/pil-resample-goldens.json")
PRECISION_BITS = 32 - 8 - 2
M32 = 0xFFFFFFFF
OPENAI_MEAN = [0.48145466, 0.4578275, 0.40821073]
OPENAI_STD = [0.26862954, 0.26130258, 0.27577711]


def f32(x):
    return float(np.float32(x))


def sinc(x):
    if x == 0.0:
        return 1.0
    x = x * math.pi
    return math.sin(x) / x


def bicubic(x):
    a = -0.5
    if x < 0.0:
        x = -x
    if x < 1.0:
        return ((a + 2.0) * x - (a + 3.0)) * x * x + 1
    if x < 2.0:
        return (((x - 5) * x + 8) * x - 4) * a
    return 0.0


def bilinear(x):
    if x < 0.0:
        x = -x
    return 1.0 - x if x < 1.0 else 0.0


def hamming(x):
    if x < 0.0:
        x = -x
    if x == 0.0:
        return 1.0
    if x >= 1.0:
        return 0.0
    x = x * math.pi
    return math.sin(x) / x * (f32(0.54) + f32(0.46) * math.cos(x))


FILTERS = {
    "box": (lambda x: 1.0 if -0.5 < x <= 0.5 else 0.0, 0.5),
    "bilinear": (bilinear, 1.0),
    "hamming": (hamming, 1.0),
    "bicubic": (bicubic, 2.0),
    "lanczos": (lambda x: sinc(x) * sinc(x / 3) if -3.0 <= x < 3.0 else 0.0, 3.0),
}


def c_int(v):
    """C's (int) cast of a double: truncation toward zero."""
    return int(v)


def precompute_coeffs(in_size, out_size, filt):
    fn, fsupport = FILTERS[filt]
    scale = filterscale = float(in_size) / out_size
    if filterscale < 1.0:
        filterscale = 1.0
    support = fsupport * filterscale
    ksize = int(math.ceil(support)) * 2 + 1
    bounds, kks = [], []
    for xx in range(out_size):
        center = 0.0 + (xx + 0.5) * scale
        ss = 1.0 / filterscale
        xmin = max(c_int(center - support + 0.5), 0)
        xmax = min(c_int(center + support + 0.5), in_size) - xmin
        k = [fn((x + xmin - center + 0.5) * ss) for x in range(xmax)]
        ww = 0.0
        for w in k:
            ww += w
        k = [w / ww if ww != 0.0 else w for w in k]
        fixed = [c_int(-0.5 + w * (1 << PRECISION_BITS)) if w < 0 else c_int(0.5 + w * (1 << PRECISION_BITS)) for w in k]
        bounds.append((xmin, xmax))
        kks.append(np.array(fixed, dtype=np.int64))
    return ksize, bounds, kks


def clip8(ss):
    return np.clip(ss >> PRECISION_BITS, 0, 255).astype(np.uint8)


def resample_horizontal(img, out_w, filt, y0, rows):
    _, bounds, kks = precompute_coeffs(img.shape[1], out_w, filt)
    src = img[y0 : y0 + rows].astype(np.int64)
    out = np.zeros((rows, out_w, img.shape[2]), dtype=np.uint8)
    for xx, ((xmin, xmax), k) in enumerate(zip(bounds, kks)):
        ss = np.full((rows, img.shape[2]), 1 << (PRECISION_BITS - 1), dtype=np.int64)
        for x in range(xmax):
            ss += src[:, x + xmin, :] * k[x]
        out[:, xx, :] = clip8(ss)
    return out


def resample_vertical(img, out_h, bounds, kks, shift):
    src = img.astype(np.int64)
    out = np.zeros((out_h, img.shape[1], img.shape[2]), dtype=np.uint8)
    for yy, ((ymin, ymax), k) in enumerate(zip(bounds, kks)):
        ss = np.full(img.shape[1:], 1 << (PRECISION_BITS - 1), dtype=np.int64)
        for y in range(ymax):
            ss += src[y + ymin - shift] * k[y]
        out[yy] = clip8(ss)
    return out


def pil_resize(img, out_w, out_h, filt="bicubic"):
    """img: uint8 [H, W, C]; as Image.resize((out_w, out_h), filt) with box (0, 0, W, H)."""
    h, w, _ = img.shape
    need_h = out_w != w
    need_v = out_h != h
    if not need_h and not need_v:
        return img.copy()
    _, vb, vk = precompute_coeffs(h, out_h, filt)
    cur, shift = img, 0
    if need_h:
        first = vb[0][0]
        last = vb[-1][0] + vb[-1][1]
        cur = resample_horizontal(img, out_w, filt, first, last - first)
        shift = first
    return resample_vertical(cur, out_h, vb, vk, shift) if need_v else cur


def clip_transform(img, n_px, mean=OPENAI_MEAN, std=OPENAI_STD):
    """openai/CLIP _transform(n_px) on an RGB uint8 [H, W, 3] image → float32 [3, n, n]."""
    h, w, _ = img.shape
    short, long = (w, h) if w <= h else (h, w)
    new_short, new_long = n_px, int(n_px * long / short)
    new_w, new_h = (new_short, new_long) if w <= h else (new_long, new_short)
    if (new_w, new_h) != (w, h):
        img = pil_resize(img, new_w, new_h, "bicubic")
    h, w, _ = img.shape
    top = int(round((h - n_px) / 2.0))
    left = int(round((w - n_px) / 2.0))
    img = img[top : top + n_px, left : left + n_px]
    x = img.astype(np.float32).transpose(2, 0, 1) / np.float32(255)
    m = np.array(mean, dtype=np.float32)[:, None, None]
    s = np.array(std, dtype=np.float32)[:, None, None]
    return ((x - m) / s).astype(np.float32)


def pattern(kind, w, h, c):
    y, x, ch = np.meshgrid(np.arange(h, dtype=np.int64), np.arange(w, dtype=np.int64), np.arange(c, dtype=np.int64), indexing="ij")
    if kind == "noise":
        v = (x * 374761393 + y * 668265263 + ch * 2246822519) & M32
        v = ((v ^ (v >> 13)) * 1274126177) & M32
        return ((v ^ (v >> 16)) & 255).astype(np.uint8)
    if kind == "smooth":
        return ((x * 7 + y * 3 + ch * 50) % 256).astype(np.uint8)
    raise ValueError(kind)


def encode(arr):
    raw = np.ascontiguousarray(arr).tobytes()
    entry = {"sha256": hashlib.sha256(raw).hexdigest()}
    if len(raw) <= 6000:
        entry["base64"] = base64.b64encode(raw).decode()
    return entry


RESIZE_CASES = [
    # (pattern, w, h, channels, out_w, out_h, filter)
    ("noise", 37, 23, 3, 20, 13, "bicubic"),
    ("smooth", 11, 7, 3, 29, 19, "bicubic"),
    ("noise", 64, 48, 3, 32, 24, "bicubic"),
    ("smooth", 50, 50, 3, 50, 17, "bicubic"),
    ("noise", 13, 40, 3, 7, 40, "bicubic"),
    ("noise", 5, 3, 1, 3, 2, "bicubic"),
    ("noise", 1, 1, 3, 4, 4, "bicubic"),
    ("smooth", 200, 9, 3, 31, 3, "bicubic"),
    ("noise", 33, 33, 3, 33, 33, "bicubic"),
    ("noise", 640, 480, 3, 298, 224, "bicubic"),
    ("noise", 37, 23, 3, 20, 13, "bilinear"),
    ("noise", 37, 23, 3, 50, 31, "lanczos"),
    ("smooth", 37, 23, 3, 20, 13, "hamming"),
    ("noise", 37, 23, 3, 12, 9, "box"),
]

PREPROCESS_CASES = [
    # (pattern, w, h, n_px)
    ("noise", 640, 480, 224),
    ("smooth", 45, 31, 24),
    ("noise", 31, 45, 24),
    ("noise", 27, 24, 24),
    ("smooth", 29, 24, 24),
    ("noise", 24, 24, 24),
]


def main():
    resize = []
    for kind, w, h, c, ow, oh, filt in RESIZE_CASES:
        out = pil_resize(pattern(kind, w, h, c), ow, oh, filt)
        resize.append({"pattern": kind, "width": w, "height": h, "channels": c, "outWidth": ow, "outHeight": oh, "filter": filt, **encode(out)})
    pre = []
    for kind, w, h, n in PREPROCESS_CASES:
        out = clip_transform(pattern(kind, w, h, 3), n)
        pre.append({"pattern": kind, "width": w, "height": h, "nPx": n, "shape": list(out.shape), **encode(out.astype("<f4"))})
    goldens = {
        "provenance": "packages/core/scripts/pil_resample_reference.py (transcription of Pillow Resample.c + openai/CLIP _transform)",
        "resize": resize,
        "preprocess": pre,
    }
    with open(OUT, "w") as f:
        json.dump(goldens, f, indent=1)
    print("wrote", OUT)


if __name__ == "__main__":
    main()
