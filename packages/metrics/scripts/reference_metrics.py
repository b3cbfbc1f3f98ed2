#!/usr/bin/env python3
"""Reference BLEU / ROUGE-L / CIDEr-D, transcribed from pycocoevalcap (tylin/coco-caption,
Python 3 versions of bleu/bleu_scorer.py, rouge/rouge.py, cider/cider_scorer.py) so the
TypeScript port can be checked against the same arithmetic. Used only to generate the committed
golden file; tests never run Python.

usage: reference_metrics.py tokenized.json golden.json
tokenized.json: {"systems": {name: {"gts": {id: [tok caption]}, "res": {id: [tok caption]}}}}
"""
import json
import math
import sys
from collections import defaultdict

import numpy as np


# ---------------- bleu_scorer.py ----------------
def bleu_precook(s, n=4):
    words = s.split()
    counts = defaultdict(int)
    for k in range(1, n + 1):
        for i in range(len(words) - k + 1):
            counts[tuple(words[i:i + k])] += 1
    return (len(words), counts)


def bleu_cook_refs(refs, n=4):
    reflen = []
    maxcounts = {}
    for ref in refs:
        rl, counts = bleu_precook(ref, n)
        reflen.append(rl)
        for ngram, count in counts.items():
            maxcounts[ngram] = max(maxcounts.get(ngram, 0), count)
    return (reflen, maxcounts)


def bleu_cook_test(test, cooked_refs, n=4):
    reflen, refmaxcounts = cooked_refs
    testlen, counts = bleu_precook(test, n)
    result = {"reflen": reflen, "testlen": testlen}
    result["guess"] = [max(0, testlen - k + 1) for k in range(1, n + 1)]
    result["correct"] = [0] * n
    for ngram, count in counts.items():
        result["correct"][len(ngram) - 1] += min(refmaxcounts.get(ngram, 0), count)
    return result


def bleu_compute(gts, res, n=4):
    crefs, ctest = [], []
    for img in gts.keys():
        crefs.append(bleu_cook_refs(gts[img]))
        ctest.append(bleu_cook_test(res[img][0], crefs[-1]))
    small, tiny = 1e-9, 1e-15
    bleu_list = [[] for _ in range(n)]
    testlen_total = 0
    reflen_total = 0
    totalcomps = {"guess": [0] * n, "correct": [0] * n}
    for comps in ctest:
        testlen = comps["testlen"]
        testlen_total += testlen
        reflen = min((abs(l - testlen), l) for l in comps["reflen"])[1]  # 'closest'
        reflen_total += reflen
        for key in ["guess", "correct"]:
            for k in range(n):
                totalcomps[key][k] += comps[key][k]
        bleu = 1.
        for k in range(n):
            bleu *= (float(comps["correct"][k]) + tiny) / (float(comps["guess"][k]) + small)
            bleu_list[k].append(bleu ** (1. / (k + 1)))
        ratio = (testlen + tiny) / (reflen + small)
        if ratio < 1:
            for k in range(n):
                bleu_list[k][-1] *= math.exp(1 - 1 / ratio)
    bleus = []
    bleu = 1.
    for k in range(n):
        bleu *= float(totalcomps["correct"][k] + tiny) / (totalcomps["guess"][k] + small)
        bleus.append(bleu ** (1. / (k + 1)))
    ratio = (testlen_total + tiny) / (reflen_total + small)
    if ratio < 1:
        for k in range(n):
            bleus[k] *= math.exp(1 - 1 / ratio)
    return bleus, bleu_list


# ---------------- rouge.py ----------------
def my_lcs(string, sub):
    if len(string) < len(sub):
        sub, string = string, sub
    lengths = [[0 for _ in range(0, len(sub) + 1)] for _ in range(0, len(string) + 1)]
    for j in range(1, len(sub) + 1):
        for i in range(1, len(string) + 1):
            if string[i - 1] == sub[j - 1]:
                lengths[i][j] = lengths[i - 1][j - 1] + 1
            else:
                lengths[i][j] = max(lengths[i - 1][j], lengths[i][j - 1])
    return lengths[len(string)][len(sub)]


def rouge_calc(candidate, refs, beta=1.2):
    prec, rec = [], []
    token_c = candidate[0].split(" ")
    for reference in refs:
        token_r = reference.split(" ")
        lcs = my_lcs(token_r, token_c)
        prec.append(lcs / float(len(token_c)))
        rec.append(lcs / float(len(token_r)))
    prec_max, rec_max = max(prec), max(rec)
    if prec_max != 0 and rec_max != 0:
        return ((1 + beta ** 2) * prec_max * rec_max) / float(rec_max + beta ** 2 * prec_max)
    return 0.0


def rouge_compute(gts, res):
    score = [rouge_calc(res[i], gts[i]) for i in gts.keys()]
    return np.mean(np.array(score)), np.array(score)


# ---------------- cider_scorer.py ----------------
def cider_precook(s, n=4):
    words = s.split()
    counts = defaultdict(int)
    for k in range(1, n + 1):
        for i in range(len(words) - k + 1):
            counts[tuple(words[i:i + k])] += 1
    return counts


def cider_compute(gts, res, n=4, sigma=6.0):
    crefs = [[cider_precook(r, n) for r in gts[i]] for i in gts.keys()]
    ctest = [cider_precook(res[i][0], n) for i in gts.keys()]
    document_frequency = defaultdict(float)
    for refs in crefs:
        for ngram in set([ngram for ref in refs for (ngram, count) in ref.items()]):
            document_frequency[ngram] += 1
    ref_len = np.log(float(len(crefs)))

    def counts2vec(cnts):
        vec = [defaultdict(float) for _ in range(n)]
        length = 0
        norm = [0.0 for _ in range(n)]
        for (ngram, term_freq) in cnts.items():
            df = np.log(max(1.0, document_frequency[ngram]))
            nn = len(ngram) - 1
            vec[nn][ngram] = float(term_freq) * (ref_len - df)
            norm[nn] += pow(vec[nn][ngram], 2)
            if nn == 1:
                length += term_freq
        norm = [np.sqrt(x) for x in norm]
        return vec, norm, length

    def sim(vec_hyp, vec_ref, norm_hyp, norm_ref, length_hyp, length_ref):
        delta = float(length_hyp - length_ref)
        val = np.array([0.0 for _ in range(n)])
        for nn in range(n):
            for (ngram, count) in vec_hyp[nn].items():
                val[nn] += min(vec_hyp[nn][ngram], vec_ref[nn][ngram]) * vec_ref[nn][ngram]
            if (norm_hyp[nn] != 0) and (norm_ref[nn] != 0):
                val[nn] /= (norm_hyp[nn] * norm_ref[nn])
            assert not math.isnan(val[nn])
            val[nn] *= np.e ** (-(delta ** 2) / (2 * sigma ** 2))
        return val

    scores = []
    for test, refs in zip(ctest, crefs):
        vec, norm, length = counts2vec(test)
        score = np.array([0.0 for _ in range(n)])
        for ref in refs:
            vec_ref, norm_ref, length_ref = counts2vec(ref)
            score += sim(vec, vec_ref, norm, norm_ref, length, length_ref)
        score_avg = np.mean(score)
        score_avg /= len(refs)
        score_avg *= 10.0
        scores.append(score_avg)
    return np.mean(np.array(scores)), np.array(scores)


def main():
    src, dst = sys.argv[1], sys.argv[2]
    with open(src, encoding="utf-8") as f:
        data = json.load(f)
    out = {"provenance": "packages/metrics/scripts/reference_metrics.py on " + src.split("/")[-1],
           "systems": {}}
    for name, sysd in data["systems"].items():
        gts, res = sysd["gts"], sysd["res"]
        ids = list(gts.keys())
        bleus, bleu_list = bleu_compute(gts, res)
        r_mean, r_all = rouge_compute(gts, res)
        c_mean, c_all = cider_compute(gts, res)
        corpus = {"Bleu_%d" % (k + 1): bleus[k] for k in range(4)}
        corpus["ROUGE_L"] = float(r_mean)
        corpus["CIDEr"] = float(c_mean)
        per = {}
        for i, img in enumerate(ids):
            per[img] = {"Bleu_%d" % (k + 1): bleu_list[k][i] for k in range(4)}
            per[img]["ROUGE_L"] = float(r_all[i])
            per[img]["CIDEr"] = float(c_all[i])
        out["systems"][name] = {"corpus": corpus, "perImage": per}
    with open(dst, "w", encoding="utf-8") as f:
        json.dump(out, f, indent=1, sort_keys=False)
        f.write("\n")


if __name__ == "__main__":
    main()
