"""Checking an uploaded file before it is kept: an accepted extension, not empty, not too large, and content
that really is what its name says (the first bytes), so a renamed program or a damaged scan is refused."""

from __future__ import annotations

from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MB = 1024 * 1024


def check_upload(
    name: str,
    data: bytes,
    *,
    signatures: Mapping[str, tuple[str, bytes]],
    max_bytes: int,
    not_accepted: str,
    too_large: str,
) -> str:
    """The content type of an acceptable file, or ValidationError naming the file and the fix.

    ``signatures`` maps an extension (".png") to its content type and the bytes such a file starts with;
    ``not_accepted`` (with %(name)s) and ``too_large`` (with %(name)s, %(size).1f and %(max)d in MB) are the
    caller's own words for its kind of file."""
    lowered = name.lower()
    extension = lowered[lowered.rfind(".") :] if "." in lowered else ""
    if extension not in signatures:
        raise ValidationError(not_accepted % {"name": name})
    if not data:
        raise ValidationError(_("“%(name)s” is empty.") % {"name": name})
    if len(data) > max_bytes:
        raise ValidationError(too_large % {"name": name, "size": len(data) / MB, "max": max_bytes // MB})
    content_type, signature = signatures[extension]
    if not data.startswith(signature):
        raise ValidationError(
            _("“%(name)s” is named %(extension)s but its content is not (it may be damaged or renamed).")
            % {"name": name, "extension": extension}
        )
    return content_type
