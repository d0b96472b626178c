"""The proposals portal blocks have nothing for an account without a staff record (the dashboards'
empty state stays), and the 首页 block nothing for a member with nothing to do."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse

from smartunion.proposals.views.portal_progress import home_block, services_block

pytestmark = pytest.mark.django_db


def request_for(user: Any) -> Any:
    request = RequestFactory().get("/m/")
    request.user = user
    return request


def test_blocks_return_none_for_an_account_without_a_person(make_user: Any, tree: Any) -> None:
    user = make_user("member", tree.a)
    assert home_block(request_for(user)) is None
    assert services_block(request_for(user)) is None
    client = Client()
    client.force_login(user)
    home = client.get(reverse("dashboards:portal_home"))
    assert home.context["blocks"] == [] and "empty-state" in home.content.decode()
    services = client.get(reverse("dashboards:portal_section", args=["services"]))
    assert 'id="proposals-block"' not in services.content.decode()


def test_home_block_is_none_with_nothing_to_do(congress: Any) -> None:
    assert home_block(request_for(congress.rep3.person.user)) is None
    assert services_block(request_for(congress.rep3.person.user)) == {"todo": 0}
