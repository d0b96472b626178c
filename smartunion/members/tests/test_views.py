from __future__ import annotations

import io
from typing import Any

from openpyxl import load_workbook

from smartunion.core.models import AuditEntry

ID_A = "11010519491231002X"


def test_person_list_filters_and_masks(client: Any, make_person: Any, make_user: Any, tree: Any) -> None:
    make_person(unit=tree.a, name="王芳", id_number=ID_A, mobile="13812345678")
    make_person(unit=tree.a1, name="赵强", sex="M")
    client.force_login(make_user("subunion_chair", tree.a))
    body = client.get("/console/members/").content.decode()
    assert "王芳" in body and "赵强" in body
    assert ID_A not in body and "1101**********002X" in body
    assert "138****5678" in body
    filtered = client.get("/console/members/", {"sex": "M"}).content.decode()
    assert "赵强" in filtered and "王芳" not in filtered
    partial = client.get("/console/members/", {"q": "王"}, HTTP_HX_REQUEST="true")
    assert partial.status_code == 200
    assert "<html" not in partial.content.decode()  # htmx gets only the table


def test_export_is_masked_without_the_sensitive_permission(
    client: Any, make_person: Any, make_user: Any, tree: Any
) -> None:
    make_person(unit=tree.a, name="王芳", id_number=ID_A)
    client.force_login(make_user("subunion_chair", tree.a))
    response = client.get("/console/members/", {"export": "xlsx"})
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    cells = [str(c) for row in sheet.iter_rows(values_only=True) for c in row if c]
    assert "王芳" in cells and ID_A not in cells and "1101**********002X" in cells
    entry = AuditEntry.objects.get(action="core.list.exported")
    assert entry.sensitive is False and entry.changes["rows"] == 1


def test_detail_reveals_id_in_place_and_logs_it(
    client: Any, make_person: Any, make_user: Any, tree: Any
) -> None:
    person = make_person(unit=tree.a, id_number=ID_A)
    client.force_login(make_user("union_staff", tree.root))
    page = client.get(f"/console/members/{person.pk}/").content.decode()
    assert ID_A not in page and "hx-post" in page
    fragment = client.post(
        f"/console/members/{person.pk}/reveal-id/", HTTP_HX_REQUEST="true"
    ).content.decode()
    assert ID_A in fragment and "<html" not in fragment
    assert AuditEntry.objects.filter(action="members.person.id_viewed", sensitive=True).count() == 1


def test_chair_sees_no_reveal_button(client: Any, make_person: Any, make_user: Any, tree: Any) -> None:
    person = make_person(unit=tree.a, id_number=ID_A)
    client.force_login(make_user("subunion_chair", tree.a))
    page = client.get(f"/console/members/{person.pk}/").content.decode()
    assert "reveal-id" not in page
    assert client.post(f"/console/members/{person.pk}/reveal-id/").status_code == 403


def test_portal_profile_block_shows_own_person(
    client: Any, make_person: Any, make_user: Any, tree: Any
) -> None:
    user = make_user("member", tree.a)
    make_person(unit=tree.a, staff_no=user.staff_no, name=user.name, user=user, mobile="13912345678")
    client.force_login(user)
    body = client.get("/m/me/").content.decode()
    assert "机械工程学院" in body and "139****5678" in body and "13912345678" not in body


def test_birth_dates_lose_their_day_for_those_who_may_not_see_full_numbers(
    client: Any, make_person: Any, make_user: Any, tree: Any
) -> None:
    import datetime as dt

    person = make_person(unit=tree.a, name="王芳", id_number=ID_A, birth_date=dt.date(1949, 12, 31))
    client.force_login(make_user("subunion_chair", tree.a))
    listing = client.get("/console/members/").content.decode()
    assert "1949-12" in listing and "1949-12-31" not in listing
    detail = client.get(f"/console/members/{person.pk}/").content.decode()
    assert "1949-12" in detail and "1949-12-31" not in detail
    client.force_login(make_user("union_staff", tree.root))
    assert "1949-12-31" in client.get(f"/console/members/{person.pk}/").content.decode()
