"""The Django admin shows audited records but cannot change them (changes go through the services)."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib import admin

from smartunion.accounts.models import LoginAttempt, RoleAssignment, User
from smartunion.members.models import Person
from smartunion.organisations.models import OfficerTerm, OrgUnit, UnitAlias

AUDITED = [User, RoleAssignment, LoginAttempt, Person, OrgUnit, UnitAlias, OfficerTerm]


@pytest.mark.parametrize("model", AUDITED, ids=lambda m: m._meta.label)
def test_audited_records_are_read_only_in_the_admin(model: Any, rf: Any, db: Any) -> None:
    superuser = User.objects.create_superuser("root9", "根", "Secret-2026!")
    request = rf.get("/admin/")
    request.user = superuser
    model_admin = admin.site._registry[model]
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)


def test_the_admin_pages_still_open_for_a_superuser(client: Any, db: Any) -> None:
    client.force_login(User.objects.create_superuser("root8", "根", "Secret-2026!"))
    for path in (
        "/admin/",
        "/admin/accounts/user/",
        "/admin/accounts/loginattempt/",
        "/admin/organisations/unitkind/",
    ):
        assert client.get(path).status_code == 200, path
    assert client.get("/admin/organisations/unitalias/add/").status_code == 403
