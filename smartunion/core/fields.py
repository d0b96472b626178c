"""Model fields for sensitive personal information."""

from __future__ import annotations

from typing import Any

from django.db import models

from . import crypto


class EncryptedTextField(models.TextField):
    """Text stored encrypted (Fernet); Python code sees plaintext.

    Equality lookups cannot work on ciphertext: pair the field with a ``blind_index`` column where
    rows must be found by value. Lists must show the value through a mask (templatetag ``mask_id``).
    """

    description = "Encrypted text"

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        if value is None or value == "":
            return value
        return crypto.decrypt_text(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return crypto.encrypt_text(str(value))

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name not in {"isnull"}:
            raise TypeError(
                f"{lookup_name!r} lookups are impossible on an encrypted field; use its blind index"
            )
        return super().get_lookup(lookup_name)
