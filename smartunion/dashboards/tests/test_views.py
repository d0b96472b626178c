from __future__ import annotations

import json
from typing import Any

from smartunion.core.navigation import PortalBlock, portal_blocks


def test_console_home_shows_counts_within_scope(client: Any, tree: Any, make_user: Any) -> None:
    client.force_login(make_user("subunion_chair", tree.a))
    response = client.get("/console/")
    assert response.status_code == 200
    # A and its group (not the rest of the tree); nobody works there yet.
    assert [s["value"] for s in response.context["stats"]] == [2, 0]
    labels = [str(e["label"]) for group in response.context["console_nav"] for e in group["entries"]]
    assert labels and all(label for label in labels)


def test_console_home_charts_read_scoped_aggregates(client: Any, tree: Any, make_user: Any) -> None:
    from smartunion.members import services
    from smartunion.members.models import StaffCategory

    in_service, retired = StaffCategory.objects.get(name="在编"), StaffCategory.objects.get(name="退休")
    for index, (unit, category) in enumerate(
        [(tree.a, in_service), (tree.a, retired), (tree.a1, in_service), (tree.b, in_service)]
    ):
        services.person_create(
            actor=None, staff_no=f"C{index}", name=f"人{index}", sex="M", category=category, unit=unit
        )
    client.force_login(make_user("subunion_chair", tree.a))
    response = client.get("/console/")
    composition = response.context["composition"]
    assert composition["by_unit"] == [
        {"name": "机械工程学院", "value": 2},
        {"name": "第一工会小组", "value": 1},
    ]
    assert composition["by_category"] == [{"name": "在编", "value": 2}, {"name": "退休", "value": 1}]
    assert "vendor/echarts/echarts.min.js" in response.content.decode()


def test_member_has_no_console(client: Any, tree: Any, make_user: Any) -> None:
    client.force_login(make_user("member", tree.a))
    assert client.get("/console/").status_code == 403
    home = client.get("/m/")
    assert home.status_code == 200
    assert "console_home" not in home.content.decode()
    assert "/console/" not in home.content.decode()


def test_portal_home_without_modules_shows_an_empty_state(client: Any, tree: Any, make_user: Any) -> None:
    client.force_login(make_user("member", tree.a))
    response = client.get("/m/")
    assert response.context["blocks"] == []
    assert "empty-state" in response.content.decode()
    for section in ("activities", "welfare", "services"):
        page = client.get(f"/m/{section}/")
        assert page.status_code == 200 and "empty-state" in page.content.decode()
    assert client.get("/m/unknown/").status_code == 404


def test_portal_blocks_registered_by_apps_appear(client: Any, tree: Any, make_user: Any) -> None:
    block = PortalBlock(
        section="home", key="test-open", template="dashboards/offline.html", context=lambda r: {"x": 1}
    )
    portal_blocks.register(block)
    try:
        client.force_login(make_user("member", tree.a))
        response = client.get("/m/")
        assert [b["key"] for b in response.context["blocks"]] == ["test-open"]
    finally:
        portal_blocks._blocks.pop(("home", "test-open"))


def test_pwa_manifest_and_service_worker(client: Any, db: Any) -> None:
    manifest = json.loads(client.get("/m/manifest.webmanifest").content)
    assert manifest["start_url"] == "/m/" and manifest["display"] == "standalone"
    assert {icon["sizes"] for icon in manifest["icons"]} >= {"192x192", "512x512"}
    worker = client.get("/m/sw.js")
    assert worker["Content-Type"].startswith("application/javascript")
    assert worker["Service-Worker-Allowed"] == "/m/"
    assert "/m/offline/" in worker.content.decode()
    assert client.get("/m/offline/").status_code == 200


def test_error_pages_are_in_chinese(client: Any, tree: Any, make_user: Any) -> None:
    client.force_login(make_user("member", tree.a))
    forbidden = client.get("/console/org/")
    assert forbidden.status_code == 403 and "403" in forbidden.content.decode()
    missing = client.get("/console/org/units/999999/")
    assert missing.status_code in (403, 404)
    client.force_login(make_user("subunion_chair", tree.a))
    missing = client.get(f"/console/org/units/{tree.b.pk}/")
    assert missing.status_code == 404
    assert "不存在" in missing.content.decode()


def test_sidebar_lights_the_most_specific_entry(client: Any, make_user: Any, tree: Any) -> None:
    import re

    client.force_login(make_user("union_staff", tree.root))
    body = client.get("/console/members/dues/").content.decode()
    active = re.findall(r'class="sidenav-link active" href="([^"]+)"', body)
    assert active == ["/console/members/dues/"]
    body = client.get("/console/members/pending/").content.decode()
    assert re.findall(r'class="sidenav-link active" href="([^"]+)"', body) == ["/console/members/"]


def test_console_home_hardship_card_shows_counts_only(client: Any, tree: Any, make_user: Any) -> None:
    from smartunion.hardship.tests import factories
    from smartunion.members import services
    from smartunion.members.models import StaffCategory

    category = StaffCategory.objects.get(name="在编")
    staff = make_user("union_staff", tree.root)
    for index, unit in enumerate([tree.a, tree.a, tree.a1, tree.b]):
        person = services.person_create(
            actor=None, staff_no=f"H{index}", name=f"困难{index}", sex="M", category=category, unit=unit
        )
        factories.make_file(person=person, actor=staff)
    client.force_login(staff)
    page = client.get("/console/")
    assert page.context["hardship"] == {"active": 4, "overdue": 0, "awaiting": 0}
    body = page.content.decode()
    assert 'id="hardship-card"' in body and "困难0" not in body
    # A sub-union chair's one-unit count is suppressed below 3.
    client.force_login(make_user("subunion_chair", tree.b))
    assert client.get("/console/").context["hardship"]["active"] == "<3"
    # No hardship permission, no card.
    client.force_login(make_user("subunion_committee", tree.a))
    page = client.get("/console/")
    assert page.context["hardship"] == {} and 'id="hardship-card"' not in page.content.decode()


def test_console_home_hardship_card_suppresses_every_small_count_below_the_top(
    client: Any, tree: Any, make_user: Any
) -> None:
    import datetime as dt

    from django.utils import timezone

    from smartunion.hardship.models import Review
    from smartunion.hardship.tests import factories
    from smartunion.members import services
    from smartunion.members.models import StaffCategory

    category = StaffCategory.objects.get(name="在编")
    staff = make_user("union_staff", tree.root)
    people = [
        services.person_create(
            actor=None, staff_no=f"S{index}", name=f"困难{index}", sex="F", category=category, unit=tree.a
        )
        for index in range(3)
    ]
    files = [factories.make_file(person=person, actor=staff) for person in people]
    Review.objects.create(file=files[0], due_on=timezone.localdate() - dt.timedelta(days=3))
    factories.make_application(person=people[1], actor=staff, programme=factories.make_programme())
    client.force_login(make_user("subunion_chair", tree.a))
    page = client.get("/console/")
    assert page.context["hardship"] == {"active": 3, "overdue": "<3", "awaiting": "<3"}
    body = page.content.decode()
    assert 'data-count="overdue">&lt;3<' in body and 'data-count="awaiting">&lt;3<' in body
    # At the top of the tree the school-wide counts are shown as they are.
    client.force_login(staff)
    assert client.get("/console/").context["hardship"] == {"active": 3, "overdue": 1, "awaiting": 1}
