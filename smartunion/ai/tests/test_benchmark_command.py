"""``manage.py ai_benchmark`` on small generated CSVs (never the benchmark data)."""

import csv
import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from smartunion.ai.tests import corpus

KEYS = {
    "accuracy",
    "macro_f1",
    "top3_accuracy",
    "fit_seconds",
    "p50_ms",
    "p95_ms",
    "n_train",
    "n_test",
    "sklearn",
    "jieba",
}


def write(path: Path, rows, header=("text", "label")) -> str:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return str(path)


def run(*args) -> dict:
    out = StringIO()
    call_command("ai_benchmark", *args, stdout=out)
    lines = out.getvalue().strip().splitlines()
    assert len(lines) == 1  # ONE JSON object
    return json.loads(lines[0])


def test_train_and_test_files(tmp_path) -> None:
    train = write(tmp_path / "train.csv", corpus.examples(per_label=20, seed=1))
    test = write(tmp_path / "test.csv", corpus.examples(per_label=10, seed=2))
    result = run("--train", train, "--test", test, "--latency-items", "20")
    assert set(result) >= KEYS
    assert result["n_train"] == 80 and result["n_test"] == 40
    assert result["accuracy"] >= 0.9 and result["top3_accuracy"] == 1.0
    assert 0 < result["p50_ms"] <= result["p95_ms"]


def test_cross_validation_with_other_columns_and_few_shot(tmp_path) -> None:
    rows = [(label, text) for text, label in corpus.examples(per_label=20)]
    train = write(tmp_path / "data.csv", rows, header=("category", "content"))
    result = run("--train", train, "--cv", "3", "--text-column", "content", "--label-column", "category")
    assert set(result) >= KEYS
    assert result["folds"] == 3 and result["n_test"] == 80
    assert result["macro_f1"] >= 0.85
    few = run(
        "--train",
        train,
        "--cv",
        "3",
        "--text-column",
        "content",
        "--label-column",
        "category",
        "--few-shot",
        "5",
    )
    assert few["n_train"] == 20 and few["few_shot_per_label"] == 5


def test_seeds_file(tmp_path) -> None:
    train = write(tmp_path / "train.csv", corpus.examples(per_label=20))
    seeds = write(tmp_path / "seeds.csv", [*corpus.SEEDS, ("无关 类别", "unused")])
    result = run("--train", train, "--cv", "2", "--few-shot", "3", "--seeds", seeds)
    assert result["seeds"] == 4  # labels absent from the data are left out


def test_bad_input(tmp_path) -> None:
    train = write(tmp_path / "train.csv", corpus.examples(per_label=3))
    with pytest.raises(CommandError, match="column"):
        run("--train", train, "--cv", "2", "--text-column", "nope")
    with pytest.raises(CommandError, match="only 3"):
        run("--train", train, "--cv", "5")
    with pytest.raises(CommandError):
        run("--train", str(tmp_path / "missing.csv"), "--cv", "2")
