from __future__ import annotations

import pytest
from django.http import Http404

from smartunion.organisations import selectors, services
from smartunion.organisations.models import OrgUnit
from smartunion.organisations.selectors import UnitResolver


def pks(units) -> set[int]:
    return {unit.pk for unit in units}


# -- subtree and ancestors ------------------------------------------------------------------------------


def test_subtree_returns_the_unit_and_everything_below_it(tree):
    assert pks(selectors.subtree(tree.a)) == {tree.a.pk, tree.a1.pk}
    assert pks(selectors.subtree(tree.a, include_self=False)) == {tree.a1.pk}
    assert pks(selectors.subtree(tree.root)) == {tree.root.pk, tree.a.pk, tree.a1.pk, tree.b.pk, tree.b1.pk}
    assert pks(selectors.subtree(tree.b1)) == {tree.b1.pk}
    assert list(selectors.subtree(tree.b1, include_self=False)) == []


def test_subtree_does_not_take_a_unit_whose_id_merely_starts_with_the_same_digits(db):
    # "7/" must not match "70/": the trailing slash of the path keeps id 7 apart from id 70.
    seven = OrgUnit.objects.create(pk=9007, name="七", code="P7", union_type="school", path="9007/")
    seventy = OrgUnit.objects.create(pk=90070, name="七十", code="P70", union_type="school", path="90070/")
    child = OrgUnit.objects.create(
        pk=90071,
        name="七十下",
        code="P701",
        union_type="branch",
        parent=seventy,
        path="90070/90071/",
        depth=1,
    )
    assert pks(selectors.subtree(seven)) == {seven.pk}
    assert pks(selectors.subtree(seventy)) == {seventy.pk, child.pk}


def test_ancestors_run_from_the_root_down(tree):
    assert selectors.ancestors(tree.a1) == [tree.root, tree.a]
    assert selectors.ancestors(tree.a1, include_self=True) == [tree.root, tree.a, tree.a1]
    assert selectors.ancestors(tree.b) == [tree.root]
    assert selectors.ancestors(tree.root) == []
    assert selectors.ancestors(tree.root, include_self=True) == [tree.root]


@pytest.mark.parametrize("depth", [2, 6])
def test_subtree_is_one_query_whatever_the_depth(build_chain, django_assert_num_queries, depth):
    chain = build_chain(depth)
    top = OrgUnit.objects.get(pk=chain[0].pk)
    middle = OrgUnit.objects.get(pk=chain[1].pk)
    with django_assert_num_queries(1):
        everything = list(selectors.subtree(top))
    assert pks(everything) == pks(chain)
    with django_assert_num_queries(1):
        below = list(selectors.subtree(middle))
    assert pks(below) == pks(chain[1:])


@pytest.mark.parametrize("depth", [2, 6])
def test_ancestors_is_one_query_whatever_the_depth_and_none_for_a_root(
    build_chain, django_assert_num_queries, depth
):
    chain = build_chain(depth)
    deepest = OrgUnit.objects.get(pk=chain[-1].pk)
    root = OrgUnit.objects.get(pk=chain[0].pk)
    assert deepest.depth == depth
    with django_assert_num_queries(1):
        found = selectors.ancestors(deepest)
    assert [unit.pk for unit in found] == [unit.pk for unit in chain[:-1]]
    with django_assert_num_queries(0):
        assert selectors.ancestors(root) == []


# -- scoped lists and lookups ---------------------------------------------------------------------------


def test_unit_list_for_a_subunion_chair_holds_only_their_subtree(tree, chair_a):
    units = selectors.unit_list_for_user(user=chair_a)
    assert pks(units) == {tree.a.pk, tree.a1.pk}


def test_unit_list_for_the_school_union_holds_every_unit(tree, staff):
    assert pks(selectors.unit_list_for_user(user=staff)) == {
        tree.root.pk,
        tree.a.pk,
        tree.a1.pk,
        tree.b.pk,
        tree.b1.pk,
    }


def test_unit_list_is_empty_without_the_permission(tree, make_user):
    member = make_user("member", tree.a)
    assert list(selectors.unit_list_for_user(user=member)) == []
    assert list(selectors.unit_list_for_user(user=make_user())) == []


def test_unit_list_search_finds_by_name_code_short_name_and_alias_within_scope(tree, chair_a, staff):
    services.alias_add(actor=None, unit=tree.a1, alias="机械一组")
    assert pks(selectors.unit_list_for_user(user=chair_a, search="机械一组")) == {tree.a1.pk}
    assert pks(selectors.unit_list_for_user(user=chair_a, search="0101")) == {tree.a1.pk}
    assert pks(selectors.unit_list_for_user(user=chair_a, search="机械学院")) == {tree.a.pk}
    # Both groups are called 第一工会小组, but the chair only sees A's.
    assert pks(selectors.unit_list_for_user(user=chair_a, search="第一工会小组")) == {tree.a1.pk}
    assert pks(selectors.unit_list_for_user(user=staff, search="第一工会小组")) == {tree.a1.pk, tree.b1.pk}
    # A unit with two matching aliases is listed once.
    services.alias_add(actor=None, unit=tree.b, alias="外语学院")
    services.alias_add(actor=None, unit=tree.b, alias="外语系")
    assert list(selectors.unit_list_for_user(user=staff, search="外语")) == [tree.b]


def test_unit_list_filters_by_level_and_hides_dissolved_units_unless_asked(tree, staff):
    groups = selectors.unit_list_for_user(user=staff, union_type=OrgUnit.UnionType.GROUP)
    assert pks(groups) == {tree.a1.pk, tree.b1.pk}
    services.unit_deactivate(actor=None, unit=tree.b1)
    assert tree.b1.pk not in pks(selectors.unit_list_for_user(user=staff))
    assert tree.b1.pk in pks(selectors.unit_list_for_user(user=staff, include_inactive=True))


def test_unit_get_for_user_inside_and_outside_the_scope(tree, chair_a):
    assert selectors.unit_get_for_user(user=chair_a, pk=tree.a1.pk) == tree.a1
    for pk in (tree.b.pk, tree.b1.pk, tree.root.pk, 999999, "abc", None):
        with pytest.raises(Http404):
            selectors.unit_get_for_user(user=chair_a, pk=pk)


def test_unit_get_for_user_checks_the_permission_asked_for(tree, committee_a):
    assert selectors.unit_get_for_user(user=committee_a, pk=tree.a.pk) == tree.a
    with pytest.raises(Http404):
        selectors.unit_get_for_user(user=committee_a, pk=tree.a.pk, perm="organisations.edit")


def test_unit_choices_leave_out_the_units_own_subtree_and_dissolved_units(tree, staff):
    services.unit_deactivate(actor=None, unit=tree.b1)
    choices = selectors.unit_choices_for_user(
        user=staff, perm="organisations.edit", exclude_subtree_of=tree.a
    )
    assert list(choices) == [tree.root, tree.b]


def test_unit_children_count_their_own_active_children(tree):
    services.unit_create(actor=None, name="第二工会小组", code="0102", union_type="group", parent=tree.a)
    children = list(selectors.unit_children(tree.root))
    assert {child.pk: child.child_count for child in children} == {tree.a.pk: 2, tree.b.pk: 1}


def test_officer_and_alias_lookups_answer_404_outside_the_scope(tree, chair_a, chairman):
    import datetime as dt

    own = services.officer_appoint(
        actor=None, unit=tree.a, user=chair_a, position=chairman, start_date=dt.date(2026, 1, 1)
    )
    other = services.officer_appoint(
        actor=None, unit=tree.b, user=chair_a, position=chairman, start_date=dt.date(2026, 1, 1)
    )
    assert selectors.officer_term_get_for_user(user=chair_a, pk=own.pk) == own
    with pytest.raises(Http404):
        selectors.officer_term_get_for_user(user=chair_a, pk=other.pk)
    alias_b = services.alias_add(actor=None, unit=tree.b, alias="外院")
    alias_a = services.alias_add(actor=None, unit=tree.a, alias="机电学院")
    assert selectors.alias_get_for_user(user=chair_a, pk=alias_a.pk) == alias_a
    with pytest.raises(Http404):
        selectors.alias_get_for_user(user=chair_a, pk=alias_b.pk)


# -- name resolution (imports) --------------------------------------------------------------------------


def test_unit_resolver_finds_units_by_name_code_short_name_and_alias(tree, django_assert_num_queries):
    services.alias_add(actor=None, unit=tree.b, alias="外院")
    with django_assert_num_queries(2):
        resolver = UnitResolver()
    assert resolver.resolve("机械工程学院") == tree.a
    assert resolver.resolve("01") == tree.a
    assert resolver.resolve("０１") == tree.a  # full-width digits typed in Excel
    assert resolver.resolve("机械学院") == tree.a
    assert resolver.resolve(" 机械 工程 学院 ") == tree.a  # stray spaces between the characters
    assert resolver.resolve("外院") == tree.b
    assert resolver.resolve("0201") == tree.b1
    assert resolver.resolve("江海大学工会") == tree.root
    assert resolver.resolve("化工学院") is None
    assert resolver.resolve("") is None


def test_unit_resolver_suggests_a_close_name(tree):
    resolver = UnitResolver()
    assert resolver.suggest("机械工程学") == "机械工程学院"
    assert resolver.suggest("外国语学") == "外国语学院"
    assert resolver.suggest("完全不同的名字啊") is None


def test_unit_resolver_ignores_dissolved_units_and_their_aliases(tree):
    services.alias_add(actor=None, unit=tree.b1, alias="外语一组")
    services.unit_deactivate(actor=None, unit=tree.b1)
    resolver = UnitResolver()
    assert resolver.resolve("0201") is None
    assert resolver.resolve("外语一组") is None


def test_unit_resolver_does_not_guess_between_units_of_the_same_name(tree):
    # A1 and B1 are both 第一工会小组: picking either would put the import's rows under the wrong
    # sub-union, so the name stands for nothing and the import must name the unit by its code.
    resolver = UnitResolver()
    assert resolver.resolve("第一工会小组") is None
    assert resolver.is_ambiguous("第一工会小组")
    assert not resolver.is_ambiguous("机械工程学院")
    assert resolver.resolve("0101") == tree.a1
    # Once one of them is renamed, the name is unique again.
    services.unit_update(
        actor=None, unit=tree.b1, name="外语第一组", code="0201", union_type="group", kind=None
    )
    assert UnitResolver().resolve("第一工会小组") == tree.a1


def test_unit_resolver_prefers_the_shallower_of_two_units_with_one_name(tree):
    deep = services.unit_create(
        actor=None, name="外国语学院", code="010101", union_type="group", parent=tree.a1
    )
    resolver = UnitResolver()
    assert resolver.resolve("外国语学院") == tree.b
    assert resolver.resolve("010101") == deep
