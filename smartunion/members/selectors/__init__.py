"""Every non-trivial read of the members app. People reads are re-exported here; membership lists, KPIs,
dues and the rest live in their own modules (``selectors.kpis.join_rate(...)``)."""

from . import applications, dues, family, kpis, membership, service_records
from .people import (
    count_in_scope,
    person_get_for_user,
    person_list_for_user,
    person_of_user,
    staff_composition,
)

__all__ = [
    "applications",
    "count_in_scope",
    "dues",
    "family",
    "kpis",
    "membership",
    "person_get_for_user",
    "person_list_for_user",
    "person_of_user",
    "service_records",
    "staff_composition",
]
