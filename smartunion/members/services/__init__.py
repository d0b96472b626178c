"""Every write of the members app. People (HR data) are re-exported here; the membership lifecycle, the
application workflow, family members, dues and correction requests live in their own modules, used as
``services.membership.membership_retain(...)`` and so on."""

from . import applications, corrections, dues, family, membership, service_records
from .people import (
    PERSON_FIELDS,
    people_lock,
    person_create,
    person_link_account,
    person_mark_left,
    person_reveal_id_number,
    person_units_merge,
    person_update,
)

__all__ = [
    "PERSON_FIELDS",
    "applications",
    "corrections",
    "dues",
    "family",
    "membership",
    "people_lock",
    "person_create",
    "person_link_account",
    "person_mark_left",
    "person_reveal_id_number",
    "person_units_merge",
    "person_update",
    "service_records",
]
