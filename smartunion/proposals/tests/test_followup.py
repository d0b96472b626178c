"""The year-end 回头看: open/close per session, the lead office reports, the committee confirms or sends
back; the pages."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from smartunion.core.models import AuditEntry
from smartunion.notifications.models import Notification
from smartunion.proposals.models import FollowUp, Proposal, ProposalEvent
from smartunion.proposals.services import followup as services

from . import factories

pytestmark = pytest.mark.django_db
Status = Proposal.Status


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def closed(congress: Any) -> Proposal:
    return factories.make_proposal(
        congress.session,
        congress.rep1,
        status=Status.CLOSED,
        lead=congress.logistics,
        assists=[congress.hr],
        implementation="B",
    )


@pytest.fixture
def opened(congress: Any, closed: Proposal) -> Any:
    return services.followup_open(actor=congress.committee, session=congress.session)


def test_open_tells_the_lead_offices_and_close(congress: Any, closed: Proposal) -> None:
    session = services.followup_open(actor=congress.committee, session=congress.session)
    assert session.followup_open
    assert Notification.objects.filter(recipient=congress.logistics_staff, kind="proposals.followup").exists()
    assert not Notification.objects.filter(recipient=congress.hr_staff, kind="proposals.followup").exists()
    with pytest.raises(ValidationError, match="already open"):
        services.followup_open(actor=congress.committee, session=congress.session)
    services.followup_close(actor=congress.committee, session=congress.session)
    with pytest.raises(ValidationError, match="is not open"):
        services.followup_close(actor=congress.committee, session=congress.session)
    assert AuditEntry.objects.filter(action__startswith="proposals.followup.").count() == 2


def test_submit_and_confirm(congress: Any, closed: Proposal, opened: Any) -> None:
    followup = services.followup_submit(
        actor=congress.logistics_staff, proposal=closed, status_after="A", note="停车场已建成投入使用"
    )
    assert followup.status_before == "B" and followup.office == congress.logistics
    assert Notification.objects.filter(recipient=congress.committee, kind="proposals.followup").exists()
    closed.refresh_from_db()
    assert closed.implementation == "B"  # not before the committee confirms
    with pytest.raises(ValidationError, match="already awaiting the committee's confirmation"):
        services.followup_submit(
            actor=congress.logistics_staff, proposal=closed, status_after="A", note="再报"
        )
    services.followup_decide(
        actor=congress.committee, followup=followup, decision=services.CONFIRM, note="属实"
    )
    closed.refresh_from_db()
    followup.refresh_from_db()
    assert closed.implementation == "A" and followup.status == FollowUp.Status.CONFIRMED
    assert followup.confirmed_by == congress.committee and followup.committee_note == "属实"
    event = closed.events.filter(kind=ProposalEvent.Kind.FOLLOWUP, is_public=True).get()
    assert "B → A" in event.text
    assert Notification.objects.filter(
        recipient=congress.rep1.person.user, kind="proposals.followup"
    ).exists()
    with pytest.raises(ValidationError, match="already “Confirmed”"):
        services.followup_decide(actor=congress.committee, followup=followup, decision=services.CONFIRM)


def test_send_back_needs_a_note_then_the_office_reports_again(
    congress: Any, closed: Proposal, opened: Any
) -> None:
    followup = services.followup_submit(
        actor=congress.logistics_head, proposal=closed, status_after="A", note="已完成"
    )
    with pytest.raises(ValidationError) as error:
        services.followup_decide(
            actor=congress.committee, followup=followup, decision=services.SEND_BACK, note=""
        )
    assert "note" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.followup_decide(actor=congress.committee, followup=followup, decision="later")
    assert "decision" in error.value.message_dict
    services.followup_decide(
        actor=congress.committee, followup=followup, decision=services.SEND_BACK, note="请附照片"
    )
    followup.refresh_from_db()
    assert followup.status == FollowUp.Status.SENT_BACK
    assert Notification.objects.filter(
        recipient=congress.logistics_staff, title__contains="sent back"
    ).exists()
    closed.refresh_from_db()
    assert closed.implementation == "B"
    services.followup_submit(actor=congress.logistics_staff, proposal=closed, status_after="A", note="附照片")


def test_submit_refusals(congress: Any, closed: Proposal) -> None:
    with pytest.raises(ValidationError, match="is not open"):
        services.followup_submit(actor=congress.logistics_staff, proposal=closed, status_after="A", note="x")
    services.followup_open(actor=congress.committee, session=congress.session)
    with pytest.raises(ValidationError, match="Only the lead office"):
        services.followup_submit(actor=congress.hr_staff, proposal=closed, status_after="A", note="x")
    with pytest.raises(ValidationError) as error:
        services.followup_submit(actor=congress.logistics_staff, proposal=closed, status_after="D", note="x")
    assert "status_after" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.followup_submit(actor=congress.logistics_staff, proposal=closed, status_after="A", note=" ")
    assert "note" in error.value.message_dict
    assigned = factories.make_proposal(
        congress.session, congress.rep2, status=Status.ASSIGNED, lead=congress.logistics
    )
    with pytest.raises(ValidationError, match="This cannot be done while the proposal is"):
        services.followup_submit(
            actor=congress.logistics_staff, proposal=assigned, status_after="A", note="x"
        )
    assert not FollowUp.objects.exists()


def test_replied_proposals_are_covered_too(congress: Any, opened: Any) -> None:
    replied = factories.make_proposal(
        congress.session, congress.rep2, status=Status.REPLIED, lead=congress.logistics
    )
    assert services.followup_submit(
        actor=congress.logistics_staff, proposal=replied, status_after="B", note="推进中"
    )


# -- pages --------------------------------------------------------------------------------------------


def test_committee_page_toggle_and_decide(congress: Any, closed: Proposal) -> None:
    client = client_for(congress.committee)
    page = client.get(reverse("proposals:followup_list")).content.decode()
    assert "Open the follow-up" in page and closed.number in page
    response = client.post(reverse("proposals:followup_toggle", args=[congress.session.pk]))
    assert response.status_code == 302
    congress.session.refresh_from_db()
    assert congress.session.followup_open
    followup = services.followup_submit(
        actor=congress.logistics_staff, proposal=closed, status_after="A", note="已完成建设"
    )
    page = client.get(reverse("proposals:followup_list") + f"?session={congress.session.pk}").content.decode()
    assert "已完成建设" in page and "Close the follow-up" in page
    response = client.post(
        reverse("proposals:followup_decide", args=[followup.pk]),
        {"decision": "send_back", "note": ""},
        follow=True,
    )
    assert "Write what the office should add" in response.content.decode()
    client.post(reverse("proposals:followup_decide", args=[followup.pk]), {"decision": "confirm"})
    closed.refresh_from_db()
    assert closed.implementation == "A"
    client.post(reverse("proposals:followup_toggle", args=[congress.session.pk]))
    congress.session.refresh_from_db()
    assert not congress.session.followup_open


def test_committee_page_partial_and_queries(congress: Any, django_assert_max_num_queries: Any) -> None:
    for i in range(8):
        factories.make_proposal(
            congress.session, congress.reps[i % 4], status=Status.CLOSED, lead=congress.logistics
        )
    client = client_for(congress.committee)
    client.get(reverse("proposals:followup_list"))
    with django_assert_max_num_queries(25):
        response = client.get(reverse("proposals:followup_list"))
    assert response.status_code == 200
    partial = client.get(reverse("proposals:followup_list"), headers={"HX-Request": "true"}).content.decode()
    assert 'id="table-region"' in partial and "<h1>" not in partial


def test_office_pages(congress: Any, closed: Proposal) -> None:
    client = client_for(congress.logistics_staff)
    page = client.get(reverse("proposals:office_followup_list")).content.decode()
    assert "Nothing to report now" in page
    page = client.get(reverse("proposals:office_followup", args=[closed.pk])).content.decode()
    assert 'id="followup-blocked"' in page and "is not open" in page
    services.followup_open(actor=congress.committee, session=congress.session)
    assert closed.number in client.get(reverse("proposals:office_followup_list")).content.decode()
    page = client.get(reverse("proposals:office_followup", args=[closed.pk])).content.decode()
    assert 'id="followup-form"' in page
    response = client.post(
        reverse("proposals:office_followup", args=[closed.pk]), {"status_after": "A", "note": ""}
    )
    assert response.status_code == 200 and "This field is required" in response.content.decode()
    response = client.post(
        reverse("proposals:office_followup", args=[closed.pk]), {"status_after": "A", "note": "已建成"}
    )
    assert response.status_code == 302
    assert FollowUp.objects.get().note == "已建成"
    page = client.get(reverse("proposals:office_followup", args=[closed.pk])).content.decode()
    assert "already awaiting the committee" in page
    # An assisting office sees the page but cannot report; another office's staff gets 404.
    page = (
        client_for(congress.hr_staff)
        .get(reverse("proposals:office_followup", args=[closed.pk]))
        .content.decode()
    )
    assert "Only the lead office" in page


def test_office_page_of_another_office_is_404(
    congress: Any, closed: Proposal, make_user: Any, tree: Any
) -> None:
    other = make_user("handling_office", tree.root, name="保卫经办")
    factories.make_office("保卫处", staff=[other])
    assert client_for(other).get(reverse("proposals:office_followup", args=[closed.pk])).status_code == 404


def test_office_detail_links_the_followup(congress: Any, closed: Proposal, opened: Any) -> None:
    html = (
        client_for(congress.logistics_staff)
        .get(reverse("proposals:office_detail", args=[closed.pk]))
        .content.decode()
    )
    assert reverse("proposals:office_followup", args=[closed.pk]) in html
