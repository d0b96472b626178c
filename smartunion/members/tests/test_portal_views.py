"""The member's own pages: applying, following the application, the card and its QR, the scanner's check,
family members, correction requests, and the blocks on 我的 and 首页."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from smartunion.members.models import CorrectionRequest, FamilyMember, Membership, MembershipApplication
from smartunion.members.services import applications as app_services
from smartunion.members.services import family as family_services
from smartunion.members.services import membership as membership_services
from smartunion.members.services import service_records

ID = "11010519491231002X"
STATEMENT = "我志愿加入中国工会，遵守工会章程，履行会员义务。"


@pytest.fixture
def w(tree: Any, make_person: Any, make_user: Any) -> SimpleNamespace:
    user = make_user(name="林晓")
    person = make_person(unit=tree.a1, name="林晓", user=user, id_number=ID)
    return SimpleNamespace(
        tree=tree,
        user=user,
        person=person,
        reviewer=make_user("subunion_chair", tree.a),
        approver=make_user("union_staff", tree.root),
    )


def join(w: SimpleNamespace) -> Membership:
    application = app_services.application_submit(
        actor=w.user,
        person=w.person,
        political_status="masses",
        education="",
        statement=STATEMENT,
        charter_consent=True,
    )
    app_services.application_unit_review(actor=w.reviewer, application=application, approve=True)
    app_services.application_approve(actor=w.approver, application=application)
    return Membership.objects.get(person=w.person)


def test_apply_page_shows_the_charter_and_refuses_without_consent(client: Any, w: SimpleNamespace) -> None:
    client.force_login(w.user)
    page = client.get("/m/me/apply/").content.decode()
    assert "《中国工会章程》" in page and 'name="charter_consent"' in page
    response = client.post("/m/me/apply/", {"political_status": "masses", "statement": STATEMENT})
    assert response.status_code == 200
    assert "field-error" in response.content.decode()
    assert not MembershipApplication.objects.exists()


def test_apply_then_follow_then_withdraw(client: Any, w: SimpleNamespace) -> None:
    client.force_login(w.user)
    response = client.post(
        "/m/me/apply/",
        {"political_status": "cyl", "education": "硕士", "statement": STATEMENT, "charter_consent": "on"},
    )
    assert response.status_code == 302 and response["Location"] == "/m/me/application/"
    page = client.get("/m/me/application/").content.decode()
    assert "stepper" in page and 'class="current"' in page and STATEMENT in page
    # Applying again while one is open leads to the status page.
    assert client.get("/m/me/apply/")["Location"] == "/m/me/application/"
    response = client.post("/m/me/application/cancel/")
    assert response.status_code == 302
    assert MembershipApplication.objects.get().status == "cancelled"
    assert client.post("/m/me/application/cancel/").status_code == 404


def test_rejected_application_shows_the_reason_and_apply_again(client: Any, w: SimpleNamespace) -> None:
    application = app_services.application_submit(
        actor=w.user,
        person=w.person,
        political_status="masses",
        education="",
        statement=STATEMENT,
        charter_consent=True,
    )
    app_services.application_reject(actor=w.reviewer, application=application, reason="入职未满六个月")
    client.force_login(w.user)
    page = client.get("/m/me/application/").content.decode()
    assert "入职未满六个月" in page and "/m/me/apply/" in page and 'class="failed"' in page


def test_no_application_yet(client: Any, w: SimpleNamespace) -> None:
    client.force_login(w.user)
    page = client.get("/m/me/application/").content.decode()
    assert "empty-state" in page and "/m/me/apply/" in page


def test_card_shows_a_qr_code_with_a_signed_token_and_no_id_number(client: Any, w: SimpleNamespace) -> None:
    membership = join(w)
    client.force_login(w.user)
    page = client.get("/m/me/card/").content.decode()
    assert membership.card_no in page
    assert re.search(r'class="qr-code"[^>]*><svg[^>]*>.*<path', page, re.S)
    assert ID not in page
    assert timezone.localdate().isoformat() in page  # joined on the approval date
    # A member who may not apply sees no apply button.
    assert "/m/me/apply/" not in page


def test_card_for_a_non_member_invites_to_apply(client: Any, w: SimpleNamespace) -> None:
    client.force_login(w.user)
    page = client.get("/m/me/card/").content.decode()
    assert "empty-state" in page and "/m/me/apply/" in page and "qr-code" not in page


def test_card_verify(client: Any, w: SimpleNamespace, make_user: Any) -> None:
    membership = join(w)
    token = membership_services.card_token(membership)
    client.force_login(make_user("subunion_chair", w.tree.b))  # any officer may check any card
    page = client.get("/console/members/card/verify/", {"t": token}).content.decode()
    assert "verify-ok" in page and "林晓" in page and w.tree.a1.name in page
    assert ID not in page and w.person.staff_no not in page
    forged = token[:-3] + ("abc" if not token.endswith("abc") else "xyz")
    page = client.get("/console/members/card/verify/", {"t": forged}).content.decode()
    assert "verify-bad" in page and "林晓" not in page
    assert "empty-state" in client.get("/console/members/card/verify/").content.decode()
    membership_services.membership_withdraw(actor=None, membership=membership)
    page = client.get("/console/members/card/verify/", {"t": token}).content.decode()
    assert "verify-bad" in page and "林晓" in page
    # A member without officer permissions cannot use the scanner page.
    client.force_login(w.user)
    assert client.get("/console/members/card/verify/", {"t": token}).status_code == 403


def test_card_qr_carries_the_verify_address(w: SimpleNamespace, rf: Any) -> None:
    from smartunion.members.views.portal import card_qr_svg

    membership = join(w)
    svg = card_qr_svg(rf.get("/"), membership)
    assert svg.startswith("<svg") and ID not in svg


def test_family_pages(client: Any, w: SimpleNamespace, make_person: Any, make_user: Any) -> None:
    client.force_login(w.user)
    assert "empty-state" in client.get("/m/me/family/").content.decode()
    birth = timezone.localdate().replace(year=timezone.localdate().year - 6)
    data = {
        "relation": "child",
        "name": "李小明",
        "sex": "M",
        "birth_date": birth.isoformat(),
        "school": "附属小学",
    }
    response = client.post("/m/me/family/add/", data)
    assert response.status_code == 200
    assert 'id="id_guardian_consent"' in response.content.decode()
    assert "field-error" in response.content.decode()
    assert not FamilyMember.objects.exists()
    response = client.post("/m/me/family/add/", {**data, "guardian_consent": "on"})
    assert response.status_code == 302
    child = FamilyMember.objects.get()
    page = client.get("/m/me/family/").content.decode()
    assert "李小明" in page and "data-confirm" in page
    response = client.post(f"/m/me/family/{child.pk}/", {**data, "name": "李晓明"})
    assert response.status_code == 302
    child.refresh_from_db()
    assert child.name == "李晓明"
    # Someone else's family member does not exist for this member.
    other_user = make_user(name="别人")
    other = make_person(unit=w.tree.b, user=other_user)
    theirs = family_services.family_add(
        actor=other_user,
        person=other,
        relation="parent",
        name="赵老",
        sex="F",
        birth_date=birth.replace(year=1950),
    )
    assert client.get(f"/m/me/family/{theirs.pk}/").status_code == 404
    assert client.post(f"/m/me/family/{theirs.pk}/remove/").status_code == 404
    assert FamilyMember.objects.filter(pk=theirs.pk).exists()
    response = client.post(f"/m/me/family/{child.pk}/remove/")
    assert response.status_code == 302
    assert not FamilyMember.objects.filter(pk=child.pk).exists()


def test_correction_page(client: Any, w: SimpleNamespace) -> None:
    client.force_login(w.user)
    page = client.get("/m/me/corrections/").content.decode()
    assert "empty-state" in page
    response = client.post("/m/me/corrections/", {"field": "mobile", "requested_value": ""})
    assert response.status_code == 200 and "field-error" in response.content.decode()
    response = client.post(
        "/m/me/corrections/",
        {"field": "mobile", "requested_value": "13812345678", "reason": "换号"},
    )
    assert response.status_code == 302
    assert CorrectionRequest.objects.get().requested_value == "13812345678"
    page = client.get("/m/me/corrections/").content.decode()
    assert "badge-warning" in page


def test_an_account_without_a_staff_record(client: Any, make_user: Any, tree: Any) -> None:
    client.force_login(make_user("member", tree.a))
    for url in ("/m/me/apply/", "/m/me/card/", "/m/me/family/"):
        page = client.get(url).content.decode()
        assert "empty-state" in page and "portal-content" in page
        assert "/m/me/apply/" not in page.split("portal-content")[1].split("tabbar")[0]


def test_me_and_home_blocks(client: Any, w: SimpleNamespace) -> None:
    client.force_login(w.user)
    me = client.get("/m/me/").content.decode()
    assert "/m/me/apply/" in me and "/m/me/family/" in me
    assert "/m/me/corrections/" in me
    home = client.get("/m/").content.decode()
    assert "/m/me/apply/" in home  # the invitation to join
    membership = join(w)
    me = client.get("/m/me/").content.decode()
    assert "mini-card" in me and membership.card_no in me
    home = client.get("/m/").content.decode()
    assert "/m/me/apply/" not in home
    assert re.search(r"/m/me/card/", me)


def test_service_records_list_only_my_own_newest_first(
    client: Any, w: SimpleNamespace, make_person: Any
) -> None:
    client.force_login(w.user)
    empty = client.get(reverse("members:my_service_records")).content.decode()
    assert 'id="service-records"' not in empty
    now = timezone.now()
    service_records.service_record_add(
        person=w.person,
        kind="welfare.issued",
        title="端午节福利",
        key="t:1",
        occurred_at=now,
        amount=Decimal("300"),
    )
    again = service_records.service_record_add(
        person=w.person, kind="welfare.issued", title="重复", key="t:1", occurred_at=now
    )
    assert again.title == "端午节福利"  # the same key records once
    service_records.service_record_add(
        person=w.person,
        kind="welfare.visit",
        title="生病住院走访",
        key="t:2",
        occurred_at=now + dt.timedelta(days=1),
    )
    other = make_person(unit=w.tree.b, name="别人")
    service_records.service_record_add(
        person=other, kind="welfare.issued", title="别人的福利", key="t:3", occurred_at=now
    )
    body = client.get(reverse("members:my_service_records")).content.decode()
    assert body.index("生病住院走访") < body.index("端午节福利")
    assert "300.00" in body and "别人的福利" not in body
