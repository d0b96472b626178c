#!/usr/bin/env python
"""Exploratory prototype of the offline appeals router (issue 9, "AI" section).

Standalone: no Django. Fits the default router (jieba words + char n-gram TF-IDF,
calibrated linear classifier) and prints one JSON object with accuracy, macro_f1,
top3_accuracy, fit_seconds, p50_ms, p95_ms (per-item latency, one item at a time).

  python prototype.py --train titles_train.csv --cv 5 --text-column text --label-column label
  python prototype.py --train a.csv --test b.csv
  python prototype.py --train titles_train.csv --cv 5 --few-shot 30   # 30 labelled/class per fold
  python prototype.py ... --variant lr_c10                             # see VARIANTS
"""

import argparse
import csv
import json
import logging
import random
import statistics
import sys
import time

import numpy as np

_t0 = time.perf_counter()
import jieba  # noqa: E402

jieba.setLogLevel(logging.WARNING)

import sklearn  # noqa: E402
from sklearn.calibration import CalibratedClassifierCV  # noqa: E402
from sklearn.feature_extraction.text import TfidfVectorizer  # noqa: E402
from sklearn.linear_model import LogisticRegression, SGDClassifier  # noqa: E402
from sklearn.metrics import accuracy_score, f1_score  # noqa: E402
from sklearn.model_selection import StratifiedKFold  # noqa: E402
from sklearn.pipeline import FeatureUnion, Pipeline  # noqa: E402
from sklearn.svm import LinearSVC  # noqa: E402

IMPORT_SECONDS = time.perf_counter() - _t0


def jieba_tokenize(text):
    """Precise mode, HMM off (faster; new-word discovery matters little for routing).

    Module-level (not a lambda/closure) so a fitted pipeline pickles; note the pickle
    stores a reference to this module path, which must be importable at load time."""
    return [w for w in jieba.lcut(text, HMM=False) if w.strip()]


def jieba_tokenize_hmm(text):
    return [w for w in jieba.lcut(text, HMM=True) if w.strip()]


# name -> dict of knobs; "default" is the chosen default.
VARIANTS = {
    # default: LinearSVC + sigmoid calibration fitted by 3-fold CV, ensemble=False (one
    # SVC refit on all data + one calibrator): best macro-F1 and half the latency of ensemble=True
    "default": {"clf": "svc_cal", "C": 0.5, "char": (1, 3), "word": (1, 1), "cw": None, "ensemble": False},
    "svc_cal_ens": {"clf": "svc_cal", "C": 0.5, "char": (1, 3), "word": (1, 1), "cw": None},
    "noens_c1_ww0.5": {
        "clf": "svc_cal",
        "C": 1.0,
        "char": (1, 3),
        "word": (1, 1),
        "cw": None,
        "ensemble": False,
        "ww": 0.5,
    },
    "svc_cal_c1": {"clf": "svc_cal", "C": 1.0, "char": (1, 3), "word": (1, 1), "cw": None},
    "svc_cal_c0.2": {"clf": "svc_cal", "C": 0.2, "char": (1, 3), "word": (1, 1), "cw": None},
    "svc_cal_bal": {"clf": "svc_cal", "C": 0.5, "char": (1, 3), "word": (1, 1), "cw": "balanced"},
    "svc_cal_char24": {"clf": "svc_cal", "C": 0.5, "char": (2, 4), "word": (1, 1), "cw": None},
    "svc_cal_char14": {"clf": "svc_cal", "C": 0.5, "char": (1, 4), "word": (1, 1), "cw": None},
    "svc_cal_word12": {"clf": "svc_cal", "C": 0.5, "char": (1, 3), "word": (1, 2), "cw": None},
    "svc_cal_iso": {
        "clf": "svc_cal",
        "C": 0.5,
        "char": (1, 3),
        "word": (1, 1),
        "cw": None,
        "method": "isotonic",
    },
    "svc_cal_hmm": {"clf": "svc_cal", "C": 0.5, "char": (1, 3), "word": (1, 1), "cw": None, "hmm": True},
    "svc_cal_charonly": {"clf": "svc_cal", "C": 0.5, "char": (1, 3), "word": None, "cw": None},
    "lr_c10": {"clf": "lr", "C": 10.0, "char": (1, 3), "word": (1, 1), "cw": None},
    "lr_c30": {"clf": "lr", "C": 30.0, "char": (1, 3), "word": (1, 1), "cw": None},
    "lr_c10_bal": {"clf": "lr", "C": 10.0, "char": (1, 3), "word": (1, 1), "cw": "balanced"},
    "sgd_mhuber": {"clf": "sgd", "C": None, "char": (1, 3), "word": (1, 1), "cw": None},
}


def build_router(variant="default"):
    v = VARIANTS[variant]
    feats = []
    if v["word"]:
        feats.append(
            (
                "word",
                TfidfVectorizer(
                    tokenizer=jieba_tokenize_hmm if v.get("hmm") else jieba_tokenize,
                    token_pattern=None,
                    lowercase=False,
                    ngram_range=v["word"],
                    sublinear_tf=True,
                    min_df=1,
                ),
            )
        )
    feats.append(
        ("char", TfidfVectorizer(analyzer="char_wb", ngram_range=v["char"], sublinear_tf=True, min_df=1))
    )
    if v["clf"] == "svc_cal":
        clf = CalibratedClassifierCV(
            LinearSVC(C=v["C"], class_weight=v["cw"]),
            method=v.get("method", "sigmoid"),
            cv=3,
            ensemble=v.get("ensemble", True),
        )
    elif v["clf"] == "lr":
        clf = LogisticRegression(C=v["C"], class_weight=v["cw"], max_iter=2000)
    elif v["clf"] == "sgd":
        clf = SGDClassifier(
            loss="modified_huber", alpha=1e-5, class_weight=v["cw"], max_iter=50, tol=1e-4, random_state=0
        )
    weights = {"word": v.get("ww", 1.0), "char": 1.0}
    return Pipeline([("features", FeatureUnion(feats, transformer_weights=weights)), ("clf", clf)])


def read_csv(path, text_col, label_col):
    with open(path, newline="", encoding="utf-8-sig") as fh:
        rows = [(r[text_col] or "", r[label_col]) for r in csv.DictReader(fh)]
    rows = [(t, lab) for t, lab in rows if lab]
    return [t for t, _ in rows], np.array([lab for _, lab in rows])


def few_shot_subset(idx, y, k, seed):
    rng = random.Random(seed)
    out = []
    for lab in sorted(set(y[idx])):
        members = [i for i in idx if y[i] == lab]
        out.extend(rng.sample(members, min(k, len(members))))
    return np.array(sorted(out))


def evaluate(model, Xtr, ytr, Xte, yte, latency_n, seed):
    t = time.perf_counter()
    model.fit(Xtr, ytr)
    fit_s = time.perf_counter() - t
    proba = model.predict_proba(Xte)
    classes = model.classes_
    pred = classes[proba.argmax(1)]
    top3 = classes[np.argsort(-proba, axis=1)[:, :3]]
    top3_hits = (top3 == np.asarray(yte)[:, None]).any(1)
    # per-item latency: one item at a time, as a live appeal would be routed
    rng = random.Random(seed)
    sample = rng.sample(range(len(Xte)), min(latency_n, len(Xte)))
    model.predict_proba([Xte[sample[0]]])  # warm-up
    lat = []
    for i in sample:
        t = time.perf_counter()
        model.predict_proba([Xte[i]])
        lat.append((time.perf_counter() - t) * 1000)
    return {"pred": pred, "top3_hits": top3_hits, "fit_s": fit_s, "lat": lat}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--train", required=True)
    g = ap.add_mutually_exclusive_group(required=True)
    g.add_argument("--test")
    g.add_argument("--cv", type=int)
    ap.add_argument("--text-column", default="text")
    ap.add_argument("--label-column", default="label")
    ap.add_argument("--variant", default="default", choices=sorted(VARIANTS))
    ap.add_argument("--few-shot", type=int, default=0, help="train on K random examples per class")
    ap.add_argument("--latency-items", type=int, default=300, help="items timed one at a time (per fold)")
    ap.add_argument(
        "--full-fit", action="store_true", help="with --cv: also time a fit on the whole train file"
    )
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args(argv)

    t = time.perf_counter()
    jieba.initialize()
    jieba_init_s = time.perf_counter() - t

    X, y = read_csv(a.train, a.text_column, a.label_column)
    folds = []
    if a.test:
        Xt, yt = read_csv(a.test, a.text_column, a.label_column)
        tr = np.arange(len(X))
        if a.few_shot:
            tr = few_shot_subset(tr, y, a.few_shot, a.seed)
        folds.append(([X[i] for i in tr], y[tr], Xt, yt))
    else:
        skf = StratifiedKFold(n_splits=a.cv, shuffle=True, random_state=a.seed)
        for k, (tr, te) in enumerate(skf.split(X, y)):
            if a.few_shot:
                tr = few_shot_subset(tr, y, a.few_shot, a.seed + k)
            folds.append(([X[i] for i in tr], y[tr], [X[i] for i in te], y[te]))

    y_true, y_pred, hits, fits, lat, fold_f1 = [], [], [], [], [], []
    for k, (Xtr, ytr, Xte, yte) in enumerate(folds):
        r = evaluate(build_router(a.variant), Xtr, ytr, Xte, yte, a.latency_items, a.seed + k)
        y_true.extend(yte)
        y_pred.extend(r["pred"])
        hits.extend(r["top3_hits"])
        fits.append(r["fit_s"])
        lat.extend(r["lat"])
        fold_f1.append(f1_score(yte, r["pred"], average="macro"))

    out = {
        "accuracy": round(accuracy_score(y_true, y_pred), 4),
        "macro_f1": round(f1_score(y_true, y_pred, average="macro"), 4),
        "top3_accuracy": round(float(np.mean(hits)), 4),
        "fit_seconds": round(statistics.mean(fits), 2),
        "p50_ms": round(float(np.percentile(lat, 50)), 2),
        "p95_ms": round(float(np.percentile(lat, 95)), 2),
        "variant": a.variant,
        "n_train_per_fit": len(folds[0][0]),
        "folds": len(folds),
        "macro_f1_fold_std": round(statistics.pstdev(fold_f1), 4),
        "few_shot_per_class": a.few_shot or None,
        "jieba_init_seconds": round(jieba_init_s, 2),
        "import_seconds": round(IMPORT_SECONDS, 2),
        "sklearn": sklearn.__version__,
    }
    if a.cv and a.full_fit:
        t = time.perf_counter()
        build_router(a.variant).fit(X, y)
        out["fit_seconds_full"] = round(time.perf_counter() - t, 2)
        out["n_train_full"] = len(X)
    try:
        import resource

        out["max_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    except ImportError:
        pass
    print(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    sys.exit(main())
