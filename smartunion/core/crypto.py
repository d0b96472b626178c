"""Encryption at rest for sensitive personal information (PIPL 敏感个人信息).

Keys come from ``settings.FIELD_ENCRYPTION_KEYS`` (Fernet keys, newest first). Every key can decrypt;
only the first encrypts, so rotating means: put a new key first, deploy, run
``manage.py rotate_field_keys``, then drop the old key. ``blind_index`` gives a keyed hash for exact
lookups (find a person by ID number) without decrypting every row.
"""

from __future__ import annotations

import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS is empty: set at least one Fernet key.")
    try:
        return MultiFernet([Fernet(key.encode() if isinstance(key, str) else key) for key in keys])
    except ValueError as exc:
        raise ImproperlyConfigured(f"FIELD_ENCRYPTION_KEYS holds an invalid Fernet key: {exc}") from exc


def fernet() -> MultiFernet:
    return _fernet(tuple(settings.FIELD_ENCRYPTION_KEYS))


def encrypt_bytes(data: bytes) -> bytes:
    return fernet().encrypt(data)


def decrypt_bytes(token: bytes) -> bytes:
    try:
        return fernet().decrypt(token)
    except InvalidToken as exc:
        raise ImproperlyConfigured(
            "A value could not be decrypted with any key in FIELD_ENCRYPTION_KEYS (was a key removed?)."
        ) from exc


def encrypt_text(text: str) -> str:
    return encrypt_bytes(text.encode("utf-8")).decode("ascii")


def decrypt_text(token: str) -> str:
    return decrypt_bytes(token.encode("ascii")).decode("utf-8")


def blind_index(value: str) -> str:
    if not settings.FIELD_HASH_KEY:
        raise ImproperlyConfigured("FIELD_HASH_KEY is empty.")
    return hmac.new(settings.FIELD_HASH_KEY.encode(), value.encode("utf-8"), hashlib.sha256).hexdigest()
