"""Model fields for sensitive personal information."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

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


class EncryptedDecimalField(EncryptedTextField):
    """An amount stored encrypted (family incomes, medical costs); Python code sees ``Decimal`` or None.

    Sums cannot be taken in SQL: the code that needs a total decrypts the rows it is allowed to read."""

    description = "Encrypted decimal"
    # What django-stubs reads for the types of the model attribute (set and get).
    _pyi_private_set_type: Decimal | str | int | None  # type: ignore[assignment]
    _pyi_private_get_type: Decimal | None  # type: ignore[assignment]

    def from_db_value(  # type: ignore[override]
        self, value: str | None, expression: Any, connection: Any
    ) -> Decimal | None:
        text = super().from_db_value(value, expression, connection)
        return self.to_python(text)

    def to_python(self, value: Any) -> Decimal | None:
        if value is None or value == "":
            return None
        if isinstance(value, Decimal):
            return value
        try:
            return Decimal(str(value))
        except InvalidOperation as exc:
            raise ValidationError(_("Enter a number.")) from exc

    def get_prep_value(self, value: Any) -> Any:
        if value is None or value == "":
            return None if self.null else ""
        return super().get_prep_value(str(self.to_python(value)))

    def formfield(self, **kwargs: Any) -> Any:
        from django import forms

        return forms.DecimalField(
            **{"max_digits": 12, "decimal_places": 2, "required": not self.blank, **kwargs}
        )
