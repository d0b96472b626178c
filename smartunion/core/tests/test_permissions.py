"""The permission registry, organisation scopes and the view decorator."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from smartunion.core import permissions
from smartunion.core.permissions import (
    PermissionSpec,
    Scope,
    get_in_scope,
    get_permission,
    permission_label,
    require_perm,
    scope_queryset,
)
from smartunion.members.models import Person
from smartunion.organisations.models import OrgUnit

# -- Scope ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("paths", "kept"),
    [
        ([], set()),
        (["1/"], {"1/"}),
        (["1/2/", "1/"], {"1/"}),
        (["1/", "1/2/", "1/2/3/"], {"1/"}),
        (["1/2/", "1/3/"], {"1/2/", "1/3/"}),
        (["1/", "10/", "10/11/"], {"1/", "10/"}),  # "10/" is not inside "1/"
        (["1/2/", "1/20/"], {"1/2/", "1/20/"}),
        (["3/4/5/", "3/4/", "3/4/5/"], {"3/4/"}),
        (["1/2/", ""], {""}),  # "" is the whole tree
    ],
)
def test_scope_of_keeps_only_the_topmost_paths(paths, kept):
    assert Scope.of(paths).paths == frozenset(kept)


def test_scope_of_accepts_any_iterable():
    assert Scope.of(path for path in ["1/2/", "1/"]).paths == {"1/"}


@pytest.mark.parametrize(
    ("paths", "path", "covered"),
    [
        (["1/2/"], "1/2/", True),
        (["1/2/"], "1/2/3/", True),
        (["1/2/"], "1/", False),
        (["1/2/"], "1/20/", False),
        (["1/2/"], "1/3/", False),
        (["1/2/", "1/3/"], "1/3/9/", True),
        ([""], "5/6/", True),
        ([], "1/", False),
        (["1/"], None, False),  # an object of no unit is covered only by the whole tree
        ([""], None, True),
    ],
)
def test_scope_covers(paths, path, covered):
    assert Scope.of(paths).covers(path) is covered


@pytest.mark.parametrize(
    ("paths", "top"),
    [(["7/"], True), (["7/8/"], False), (["7/8/", "9/"], True), ([""], True), ([], False)],
)
def test_scope_at_top(paths, top):
    assert Scope.of(paths).at_top is top


def test_scope_flags():
    assert Scope().is_empty and not Scope().is_everything
    assert Scope.everything().is_everything and not Scope.everything().is_empty
    assert Scope.everything() == Scope.of([""])
    assert not Scope.of(["1/"]).is_everything


def test_scope_q():
    assert Scope.everything().q() == Q()
    assert Scope().q() == Q(pk__in=[])
    assert Scope.of(["1/"]).q() == Q(unit__path__startswith="1/")
    assert Scope.of(["1/"]).q("") == Q(path__startswith="1/")
    assert Scope.of(["2/", "1/"]).q("person__unit") == Q(person__unit__path__startswith="1/") | Q(
        person__unit__path__startswith="2/"
    )


def _names(queryset) -> set[int]:
    return set(queryset.values_list("pk", flat=True))


def test_scope_filter_on_units_and_on_rows_of_a_unit(tree, make_person):
    units = OrgUnit.objects.all()
    assert _names(Scope.of([tree.a.path]).filter(units, "")) == {tree.a.pk, tree.a1.pk}
    assert _names(Scope.of([tree.a.path, tree.b1.path]).filter(units, "")) == {
        tree.a.pk,
        tree.a1.pk,
        tree.b1.pk,
    }
    assert _names(Scope.of([tree.root.path]).filter(units, "")) == _names(units)
    assert _names(Scope.everything().filter(units, "")) == _names(units)
    assert not Scope().filter(units, "").exists()
    assert not units.filter(Scope().q("")).exists()

    in_a1 = make_person(tree.a1, "P1")
    in_b = make_person(tree.b, "P2")
    people = Person.objects.all()
    assert _names(Scope.of([tree.a.path]).filter(people)) == {in_a1.pk}
    assert _names(Scope.of([tree.b.path]).filter(people, "unit")) == {in_b.pk}
    assert _names(people.filter(Scope.of([tree.a1.path, tree.b.path]).q())) == {in_a1.pk, in_b.pk}


# -- querysets in scope ---------------------------------------------------------------------------


def test_scope_queryset_and_get_in_scope(tree, make_user, make_person):
    chair = make_user("subunion_chair", tree.a)
    in_a1 = make_person(tree.a1, "P1")
    in_b = make_person(tree.b, "P2")
    people = Person.objects.all()
    assert _names(scope_queryset(people, user=chair, perm="members.view")) == {in_a1.pk}
    assert get_in_scope(people, user=chair, perm="members.view", pk=in_a1.pk) == in_a1
    with pytest.raises(Http404):
        get_in_scope(people, user=chair, perm="members.view", pk=in_b.pk)  # exists, but elsewhere: 404
    with pytest.raises(Http404):
        get_in_scope(people, user=chair, perm="members.view", pk=999999)
    with pytest.raises(Http404):  # a permission the chair holds nowhere
        get_in_scope(people, user=chair, perm="members.import", pk=in_a1.pk)
    units = OrgUnit.objects.all()
    assert get_in_scope(units, user=chair, perm="organisations.view", unit_field="", pk=tree.a1.pk) == tree.a1
    with pytest.raises(Http404):
        get_in_scope(units, user=chair, perm="organisations.view", unit_field="", pk=tree.root.pk)


def test_scope_queryset_refuses_an_unknown_permission(tree, make_user):
    with pytest.raises(LookupError, match=re.escape("members.veiw")):
        scope_queryset(Person.objects.all(), user=make_user("union_staff", tree.root), perm="members.veiw")


# -- the registry ---------------------------------------------------------------------------------


@pytest.fixture
def registry(monkeypatch):
    """A private copy of the registry, so the test's codes do not outlive it."""
    monkeypatch.setattr(permissions, "_registry", dict(permissions._registry))
    return permissions._registry


def test_registering_the_same_code_twice(registry):
    spec = PermissionSpec("testapp.thing.do", "Do the thing", ("union_staff",))
    permissions.register(spec)
    permissions.register(PermissionSpec("testapp.thing.do", "Do the thing", ("union_staff",)))  # same: fine
    assert get_permission("testapp.thing.do") == spec
    with pytest.raises(ValueError, match=re.escape("testapp.thing.do")):
        permissions.register(PermissionSpec("testapp.thing.do", "Do another thing", ("union_staff",)))
    with pytest.raises(ValueError, match=re.escape("testapp.thing.do")):
        permissions.register(PermissionSpec("testapp.thing.do", "Do the thing", ("union_chair",)))
    assert get_permission("testapp.thing.do") == spec  # the first definition stands


def test_registry_lookups(registry):
    permissions.register(PermissionSpec("testapp.b", "B"), PermissionSpec("testapp.a", "A"))
    codes = [spec.code for spec in permissions.all_permissions()]
    assert codes == sorted(codes)
    assert {"testapp.a", "testapp.b", "core.audit.view", "members.view"} <= set(codes)
    assert permission_label("testapp.a") == "A"
    assert permission_label("nobody.knows") == "nobody.knows"
    with pytest.raises(LookupError, match=re.escape("nobody.knows")):
        get_permission("nobody.knows")


# -- require_perm ---------------------------------------------------------------------------------


def _view(request, pk):
    return HttpResponse(f"ok {pk}")


def test_require_perm_fails_at_decoration_on_an_unknown_code():
    with pytest.raises(LookupError):
        require_perm("members.veiw")


def test_require_perm_decorator(tree, make_user):
    view = require_perm("members.import")(_view)
    assert view.required_permission == "members.import"
    assert view.__name__ == "_view"

    request = RequestFactory().get("/console/thing/7/?tab=2")
    request.user = AnonymousUser()
    response = view(request, pk=7)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert "next=/console/thing/7/%3Ftab%3D2" in response["Location"]

    request.user = make_user("subunion_chair", tree.a)  # members.view, not members.import
    with pytest.raises(PermissionDenied):
        view(request, pk=7)

    request.user = make_user("union_staff", tree.root)
    assert view(request, pk=7).content == b"ok 7"


def test_require_perm_through_the_client(client, tree, make_user):
    url = reverse("core:audit_list")
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))

    client.force_login(make_user("member", tree.a1))
    assert client.get(url).status_code == 403

    client.force_login(make_user("auditor", tree.b))  # held anywhere is enough to open the page
    assert client.get(url).status_code == 200


def test_a_superuser_holds_everything(tree, make_user):
    admin = make_user(is_superuser=True)
    assert admin.scope_for("members.view").is_everything
    request = RequestFactory().get("/")
    request.user = admin
    assert require_perm("members.import")(_view)(request, pk=1).status_code == 200


def test_a_deactivated_user_holds_nothing(tree, make_user):
    user = make_user("union_staff", tree.root)
    user.is_active = False
    assert user.scope_for("members.view").is_empty
    request = RequestFactory().get("/")
    request.user = user
    with pytest.raises(PermissionDenied):
        require_perm("members.view")(_view)(request, pk=1)
