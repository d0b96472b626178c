"""Who may read which hardship file or assistance application.

A file or an application belongs to its ``unit``; every console page reads it through these functions,
which answer 404 outside the user's scope. Whether the full figures may be shown is a second, narrower
question (``hardship.sensitive.view`` at the record's unit): everyone else sees categories and masks."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from smartunion.core.permissions import get_in_scope, scope_queryset
from smartunion.hardship.models import AssistanceApplication, Document, HardshipFile

SENSITIVE = "hardship.sensitive.view"


def files_for_user(user: Any, perm: str = "hardship.files.view") -> QuerySet[HardshipFile]:
    return scope_queryset(HardshipFile.objects.select_related("person", "unit"), user=user, perm=perm)


def file_get_for_user(*, user: Any, pk: Any, perm: str = "hardship.files.view") -> HardshipFile:
    return get_in_scope(HardshipFile.objects.select_related("person", "unit"), user=user, perm=perm, pk=pk)


def applications_for_user(
    user: Any, perm: str = "hardship.assistance.view"
) -> QuerySet[AssistanceApplication]:
    return scope_queryset(
        AssistanceApplication.objects.select_related("person", "unit", "programme"), user=user, perm=perm
    )


def application_get_for_user(
    *, user: Any, pk: Any, perm: str = "hardship.assistance.view"
) -> AssistanceApplication:
    return get_in_scope(
        AssistanceApplication.objects.select_related("person", "unit", "programme", "rule"),
        user=user,
        perm=perm,
        pk=pk,
    )


def may_see_sensitive(user: Any, record: HardshipFile | AssistanceApplication) -> bool:
    """The full figures, health details and documents: the case handlers of the record's unit only."""
    return user.scope_for(SENSITIVE).covers(record.unit.path)


def document_get_for_user(*, user: Any, pk: Any) -> Document:
    """A document for an officer who may see its record's sensitive data (404 otherwise, never 403: the
    existence of a hardship document is itself sensitive), or for the member it is about."""
    document = (
        Document.objects.select_related(
            "file__unit", "file__person", "application__unit", "application__person"
        )
        .filter(pk=pk)
        .first()
    )
    if document is None:
        raise Http404
    record = document.file or document.application
    assert record is not None
    if may_see_sensitive(user, record):
        return document
    if getattr(record.person, "user_id", None) == user.pk:
        return document
    raise Http404
