"""Who submitted an appeal, as a viewer may see it: the one place that decides. An anonymous appeal is
"anonymous" to everyone but the member themself; the holders of ``appeals.identity.reveal`` see the name
only through an explicit, logged reveal (``services.identity.reveal``), never from this label."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from ..models import Appeal

REVEAL = "appeals.identity.reveal"


def is_submitter(appeal: Appeal, viewer: Any) -> bool:
    user_id = getattr(viewer, "pk", None)
    if user_id is None:
        return False
    person = appeal.person
    return person.user_id is not None and person.user_id == user_id


def submitter_label(appeal: Appeal, viewer: Any) -> str:
    """The submitter as ``viewer`` may see it: "anonymous" for an anonymous appeal (but to the member),
    otherwise the member's name and unit."""
    if appeal.is_anonymous and not is_submitter(appeal, viewer):
        return _("Anonymous")
    person = appeal.person
    unit = appeal.unit or getattr(person, "unit", None)
    return f"{person.name}（{unit.name}）" if unit is not None else person.name


def may_reveal(appeal: Appeal, user: Any) -> bool:
    """Whether ``user`` may ask to see who submitted this anonymous appeal (each reveal is logged)."""
    if not appeal.is_anonymous or not appeal.allow_identity_reveal:
        return False
    if not getattr(user, "is_authenticated", False):
        return False
    return bool(user.has_unit_perm(REVEAL))
