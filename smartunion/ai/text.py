"""Chinese text for the AI module: the jieba tokenizer every fitted pipeline refers to, and jieba's
one-time set-up per process.

``jieba_tokenize`` is pickled *by reference* inside every stored router (``RouterModel.pipeline``): its
import path ``smartunion.ai.text.jieba_tokenize`` is part of the stored data. Never rename or move it
without retraining every router (or keeping an alias here).
"""

from __future__ import annotations

import logging
import os
import threading
import unicodedata
from pathlib import Path

import jieba

_init_lock = threading.Lock()
_initialised = False


def _cache_dir() -> Path:
    """jieba caches its parsed dictionary (≈9 MB) in a file; by default in $TMPDIR, owned by whoever ran
    first (another account cannot reuse it). Keep it in the site's var dir instead."""
    try:
        from django.conf import settings

        var_dir = getattr(settings, "VAR_DIR", None)
    except Exception:  # settings not configured (standalone use)
        var_dir = None
    if var_dir is None:
        var_dir = os.environ.get("SMARTUNION_VAR_DIR") or Path.cwd() / "var"
    return Path(var_dir) / "cache"


def ensure_jieba() -> None:
    """Load jieba's dictionary once per process (≈0.7–1 s the first time; a no-op afterwards)."""
    global _initialised
    if _initialised:
        return
    with _init_lock:
        if _initialised:
            return
        jieba.setLogLevel(logging.WARNING)
        directory = _cache_dir()
        try:
            directory.mkdir(parents=True, exist_ok=True)
            jieba.dt.tmp_dir = str(directory)
            jieba.dt.cache_file = "jieba.cache"
        except OSError:
            pass  # unwritable var dir: jieba falls back to building the dictionary in memory
        jieba.initialize()
        _initialised = True


def _is_noise(token: str) -> bool:
    """Whitespace and punctuation/symbol tokens carry nothing for routing."""
    stripped = token.strip()
    if not stripped:
        return True
    return all(unicodedata.category(ch)[0] in "PSZ" for ch in stripped)


def jieba_tokenize(text: str) -> list[str]:
    """jieba words of ``text``: precise mode, HMM off (faster, and new-word discovery matters little
    for routing), whitespace and punctuation dropped. Module-level so fitted pipelines pickle."""
    ensure_jieba()
    return [token for token in jieba.lcut(text or "", HMM=False) if not _is_noise(token)]
