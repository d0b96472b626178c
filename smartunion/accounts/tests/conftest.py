"""Users the accounts tests share."""

import pytest


@pytest.fixture
def office(tree, make_user):
    """校工会工作人员 at the root: may manage accounts."""
    return make_user("union_staff", tree.root, staff_no="OFFICE", name="办公室")


@pytest.fixture
def sysadmin(tree, make_user):
    return make_user("sysadmin", tree.root, staff_no="ADMIN", name="管理员")


@pytest.fixture
def chair_a(tree, make_user):
    return make_user("subunion_chair", tree.a, staff_no="CHAIR-A", name="甲主席")
