"""The member's appeal pages: 我的诉求 with chips and the empty state, writing an appeal (with the live
suggestion panel), one appeal's progress, rating, withdrawal and attachments — own appeals only, anyone
else's 404 — the 常见问题 and the portal blocks."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from smartunion.appeals.models import Appeal, Attachment, Rating
from smartunion.appeals.models import Settings as AppealSettings
from smartunion.core.models import AuditEntry

from . import factories

pytestmark = pytest.mark.django_db
Status = Appeal.Status
PDF = b"%PDF-1.4\n%test\n"
BODY = "东区食堂早餐窗口七点半才开，希望提前到七点。"


@pytest.fixture(autouse=True)
def triage_only() -> None:
    AppealSettings.objects.update_or_create(pk=1, defaults={"auto_route_confidence": 1.01})


@pytest.fixture
def taxonomy() -> dict[str, Any]:
    return factories.make_taxonomy()


@pytest.fixture
def member(tree: Any) -> Any:
    return factories.make_member(tree.a, name="赵老师")


@pytest.fixture
def client(member: Any) -> Client:
    client = Client()
    assert member.user is not None
    client.force_login(member.user)
    return client


@pytest.fixture
def stranger(tree: Any) -> Client:
    client = Client()
    other = factories.make_member(tree.b, name="钱老师")
    assert other.user is not None
    client.force_login(other.user)
    return client


def _text(response: Any) -> str:
    return response.content.decode()


# -- 我的诉求 --------------------------------------------------------------------------------------------


def test_list_empty_state_calls_to_action(client: Client) -> None:
    response = client.get(reverse("appeals:portal_list"))
    assert response.status_code == 200
    text = _text(response)
    assert "You have not sent any appeal yet" in text
    assert reverse("appeals:portal_new") in text
    assert 'id="status-chips"' not in text


def test_list_shows_own_appeals_with_chips_and_reply_state(
    client: Client, member: Any, taxonomy: Any, tree: Any
) -> None:
    factories.make_appeal(member, title="早餐太晚")
    factories.make_appeal(member, status=Status.REPLIED, category=taxonomy["食堂餐饮"], title="窗口太少")
    factories.make_appeal(member, status=Status.CLOSED, category=taxonomy["维修报修"], title="空调坏了")
    factories.make_appeal(factories.make_member(tree.b), title="别人的诉求")
    text = _text(client.get(reverse("appeals:portal_list")))
    assert "早餐太晚" in text and "窗口太少" in text and "空调坏了" in text
    assert "别人的诉求" not in text
    assert 'data-chip="replied"' in text
    assert "please rate the reply" in text
    replied = _text(client.get(reverse("appeals:portal_list") + "?status=replied"))
    assert "窗口太少" in replied and "早餐太晚" not in replied
    done = _text(client.get(reverse("appeals:portal_list") + "?status=done"))
    assert "空调坏了" in done and "窗口太少" not in done
    assert client.get(reverse("appeals:portal_list") + "?status=bogus").status_code == 200


def test_an_account_without_a_staff_record_is_told(make_user: Any) -> None:
    client = Client()
    client.force_login(make_user(name="无档案"))
    for name in ("appeals:portal_list", "appeals:portal_new"):
        response = client.get(reverse(name))
        assert response.status_code == 200
        assert "not linked to a staff record" in _text(response)


def test_pages_need_a_login() -> None:
    response = Client().get(reverse("appeals:portal_list"))
    assert response.status_code == 302


# -- a new appeal ------------------------------------------------------------------------------------------


def test_new_page_explains_anonymity_and_groups_categories(client: Client, taxonomy: Any) -> None:
    response = client.get(reverse("appeals:portal_new"))
    assert response.status_code == 200
    text = _text(response)
    assert 'id="anonymity-explained"' in text
    assert 'id="field-allow_identity_reveal" hidden' in text  # only when anonymous
    assert '<optgroup label="后勤管理处">' in text
    assert 'data-max="80"' in text and 'data-max="3000"' in text
    assert f'hx-post="{reverse("appeals:portal_suggest")}"' in text


def test_submit_from_the_page(client: Client, member: Any, taxonomy: Any) -> None:
    response = client.post(
        reverse("appeals:portal_new"),
        {
            "title": "早餐开得太晚",
            "body": BODY,
            "category": taxonomy["食堂餐饮"].pk,
            "identity": "anonymous",
            "allow_identity_reveal": "on",
            "allow_publish": "on",
            "attachments": [SimpleUploadedFile("通知.pdf", PDF, content_type="application/pdf")],
        },
    )
    appeal = Appeal.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("appeals:portal_detail", args=[appeal.pk])
    assert (appeal.person, appeal.suggested_category) == (member, taxonomy["食堂餐饮"])
    assert (appeal.is_anonymous, appeal.allow_identity_reveal, appeal.allow_publish) == (True, True, True)
    assert appeal.attachments.get().name == "通知.pdf"
    detail = _text(client.get(response["Location"]))
    assert appeal.number in detail


def test_an_anonymous_members_steps_leave_no_client_address_in_the_audit_log(
    client: Client, member: Any, taxonomy: Any
) -> None:
    """The address of the member's request could be matched with their login attempts: the submission,
    the automatic routing in the same request, the withdrawal and the rating of an anonymous appeal
    record none; a named appeal's entries keep it."""
    AppealSettings.objects.filter(pk=1).update(auto_route_confidence=0.0)  # routed in the same request
    values = {"title": "食堂早餐窗口", "body": "食堂早餐窗口开得太晚，饭菜也凉了，希望改进。"}
    ip = {"REMOTE_ADDR": "10.9.8.7"}
    client.post(reverse("appeals:portal_new"), {**values, "identity": "anonymous"}, **ip)
    client.post(reverse("appeals:portal_new"), {**values, "identity": "named"}, **ip)
    anonymous, named = Appeal.objects.order_by("pk")
    assert anonymous.is_anonymous and not named.is_anonymous
    assert anonymous.status == named.status == Status.ROUTED

    def addresses(appeal: Appeal) -> dict[str, Any]:
        entries = AuditEntry.objects.filter(target_id=str(appeal.pk), action__startswith="appeals.appeal.")
        return dict(entries.values_list("action", "ip_address"))

    assert addresses(anonymous) == {"appeals.appeal.submitted": None, "appeals.appeal.routed": None}
    assert addresses(named) == {"appeals.appeal.submitted": "10.9.8.7", "appeals.appeal.routed": "10.9.8.7"}
    client.post(reverse("appeals:portal_withdraw", args=[anonymous.pk]), **ip)
    replied = factories.make_appeal(
        member, status=Status.REPLIED, category=taxonomy["食堂餐饮"], anonymous=True
    )
    client.post(
        reverse("appeals:portal_rate", args=[replied.pk]),
        {"score": "unsatisfied", "comment": "还没改", "reopen": "on"},
        **ip,
    )
    assert addresses(anonymous)["appeals.appeal.withdrawn"] is None
    assert addresses(replied) == {"appeals.appeal.reopened": None}


def test_the_reveal_permission_is_dropped_for_a_named_appeal(client: Client) -> None:
    client.post(
        reverse("appeals:portal_new"),
        {"title": "早餐", "body": BODY, "identity": "named", "allow_identity_reveal": "on"},
    )
    appeal = Appeal.objects.get()
    assert (appeal.is_anonymous, appeal.allow_identity_reveal) == (False, False)


def test_errors_are_shown_on_their_fields(client: Client) -> None:
    response = client.post(
        reverse("appeals:portal_new"),
        {
            "title": "食" * 81,
            "body": "太短",
            "identity": "named",
            "attachments": [SimpleUploadedFile("a.exe", b"MZ", content_type="application/octet-stream")],
        },
    )
    assert response.status_code == 400
    text = _text(response)
    assert "81 characters" in text
    assert "at least 10 characters" in text
    assert not Appeal.objects.exists()
    response = client.post(
        reverse("appeals:portal_new"),
        {
            "title": "早餐",
            "body": BODY,
            "identity": "named",
            "attachments": [SimpleUploadedFile("a.exe", b"MZ", content_type="application/octet-stream")],
        },
    )
    assert response.status_code == 400
    assert "is not accepted" in _text(response)


def test_suggest_panel(client: Client, member: Any, taxonomy: Any) -> None:
    faq = factories.make_appeal(member, status=Status.CLOSED, category=taxonomy["食堂餐饮"])
    Appeal.objects.filter(pk=faq.pk).update(
        faq_question="食堂早餐窗口几点开？", faq_answer="已提前到七点。", published_at=timezone.now()
    )
    empty = client.post(reverse("appeals:portal_suggest"))
    assert empty.status_code == 200 and "As you write" in _text(empty)
    # The draft is posted, never put in a URL (access logs, proxies, the browser's history).
    assert client.get(reverse("appeals:portal_suggest"), {"title": "食堂早餐窗口"}).status_code == 405
    response = client.post(
        reverse("appeals:portal_suggest"), {"title": "食堂早餐窗口", "body": "食堂早餐窗口开得太晚，饭菜凉了"}
    )
    assert response.status_code == 200
    text = _text(response)
    assert 'id="suggested-categories"' in text and "食堂餐饮" in text
    assert 'id="similar-faqs"' in text
    assert reverse("appeals:faq_detail", args=[faq.pk]) in text


def test_suggest_panel_leaves_out_suggestions_under_five_percent(
    client: Client, member: Any, taxonomy: Any, monkeypatch: Any
) -> None:
    from smartunion.ai.services import routing as ai_routing

    canteen, repairs = taxonomy["食堂餐饮"], taxonomy["维修报修"]
    prediction = ai_routing.Prediction(
        version=1,
        suggestions=[
            ai_routing.Suggestion(label=str(canteen.pk), confidence=0.96),
            ai_routing.Suggestion(label=str(repairs.pk), confidence=0.01),
        ],
    )
    monkeypatch.setattr(ai_routing, "suggest", lambda *args, **kwargs: prediction)
    text = _text(client.post(reverse("appeals:portal_suggest"), {"title": "食堂早餐窗口", "body": "太晚"}))
    assert f'data-use-category="{canteen.pk}"' in text
    assert f'data-use-category="{repairs.pk}"' not in text and "维修报修" not in text


def test_suggest_panel_posts_with_the_pages_csrf_header(member: Any) -> None:
    """As the browser does it: htmx sends the token of the page's hx-headers with the POST."""
    import re

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(member.user)
    url = reverse("appeals:portal_suggest")
    assert browser.post(url, {"title": "食堂早餐窗口"}).status_code == 403
    page = _text(browser.get(reverse("appeals:portal_new")))
    found = re.search(r"hx-headers='\{\"X-CSRFToken\": \"([^\"]+)\"\}'", page)
    assert found, "the page carries no CSRF header for htmx"
    response = browser.post(url, {"title": "食堂早餐窗口"}, HTTP_X_CSRFTOKEN=found.group(1))
    assert response.status_code == 200


# -- one appeal --------------------------------------------------------------------------------------------


def test_detail_own_only(client: Client, stranger: Client, member: Any, make_user: Any) -> None:
    appeal = factories.make_appeal(member, title="早餐太晚")
    url = reverse("appeals:portal_detail", args=[appeal.pk])
    response = client.get(url)
    assert response.status_code == 200
    text = _text(response)
    assert "早餐太晚" in text and 'id="withdraw"' in text and "data-confirm" in text
    assert stranger.get(url).status_code == 404
    nobody = Client()
    nobody.force_login(make_user(name="无档案"))
    assert nobody.get(url).status_code == 404
    assert client.get(reverse("appeals:portal_detail", args=[999999])).status_code == 404


def test_detail_of_a_replied_appeal(client: Client, member: Any, taxonomy: Any) -> None:
    appeal = factories.make_appeal(member, status=Status.REPLIED, category=taxonomy["食堂餐饮"])
    text = _text(client.get(reverse("appeals:portal_detail", args=[appeal.pk])))
    assert "后勤管理处" in text and "食堂餐饮" in text
    assert "已安排食堂提前开放早餐窗口" in text  # the reply
    assert 'id="rating-form"' in text and 'id="field-reopen"' in text
    assert 'id="withdraw"' not in text


def test_rate_from_the_page(client: Client, stranger: Client, member: Any, taxonomy: Any) -> None:
    appeal = factories.make_appeal(member, status=Status.REPLIED, category=taxonomy["食堂餐饮"])
    url = reverse("appeals:portal_rate", args=[appeal.pk])
    assert stranger.post(url, {"score": "satisfied"}).status_code == 404
    missing = client.post(url, {"score": "unsatisfied", "comment": ""})
    assert missing.status_code == 400
    assert "needed for 不满意" in _text(missing)
    response = client.post(url, {"score": "unsatisfied", "comment": "还没改", "reopen": "on"})
    assert response.status_code == 302
    appeal.refresh_from_db()
    assert appeal.status == Status.REOPENED
    again = client.post(url, {"score": "satisfied"}, follow=True)
    assert "no reply to rate" in _text(again)
    assert Rating.objects.count() == 1


def test_rate_satisfied_closes(client: Client, member: Any, taxonomy: Any) -> None:
    appeal = factories.make_appeal(member, status=Status.REPLIED, category=taxonomy["食堂餐饮"])
    response = client.post(
        reverse("appeals:portal_rate", args=[appeal.pk]), {"score": "satisfied"}, follow=True
    )
    assert "The appeal is closed" in _text(response)
    appeal.refresh_from_db()
    assert appeal.status == Status.CLOSED


def test_withdraw_from_the_page(client: Client, stranger: Client, member: Any, taxonomy: Any) -> None:
    appeal = factories.make_appeal(member)
    url = reverse("appeals:portal_withdraw", args=[appeal.pk])
    assert stranger.post(url).status_code == 404
    appeal.refresh_from_db()
    assert appeal.status == Status.TRIAGE
    assert client.post(url, {"reason": "已解决"}).status_code == 302
    appeal.refresh_from_db()
    assert appeal.status == Status.WITHDRAWN
    busy = factories.make_appeal(member, status=Status.IN_PROGRESS, category=taxonomy["食堂餐饮"])
    response = client.post(reverse("appeals:portal_withdraw", args=[busy.pk]), follow=True)
    assert "can no longer be withdrawn" in _text(response)


def test_attachment_download_own_only(client: Client, stranger: Client, member: Any) -> None:
    appeal = factories.make_appeal(member)
    other = factories.make_appeal(member)
    attachment = Attachment.objects.create(
        appeal=appeal, name="通知.pdf", content_type="application/pdf", size=len(PDF), content=PDF
    )
    url = reverse("appeals:portal_attachment", args=[appeal.pk, attachment.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert response.content == PDF
    assert response["Content-Type"] == "application/pdf"
    assert "attachment;" in response["Content-Disposition"]
    assert stranger.get(url).status_code == 404
    assert client.get(reverse("appeals:portal_attachment", args=[other.pk, attachment.pk])).status_code == 404


# -- 常见问题 ------------------------------------------------------------------------------------------------


def _publish(appeal: Appeal, question: str, answer: str) -> None:
    Appeal.objects.filter(pk=appeal.pk).update(
        faq_question=question, faq_answer=answer, published_at=timezone.now()
    )


def test_faq_list_and_detail_show_only_published_anonymised_text(
    stranger: Client, member: Any, taxonomy: Any
) -> None:
    canteen = factories.make_appeal(
        member, status=Status.CLOSED, category=taxonomy["食堂餐饮"], title="赵老师的原话"
    )
    repair = factories.make_appeal(member, status=Status.CLOSED, category=taxonomy["维修报修"])
    hidden = factories.make_appeal(
        member, status=Status.CLOSED, category=taxonomy["维修报修"], title="未公开"
    )
    _publish(canteen, "食堂早餐几点开？", "已提前到七点。")
    _publish(repair, "空调坏了找谁？", "拨打后勤报修电话。")
    response = stranger.get(reverse("appeals:faq_list"))
    assert response.status_code == 200
    text = _text(response)
    assert "食堂早餐几点开" in text and "空调坏了找谁" in text
    assert "赵老师" not in text and "未公开" not in text
    searched = _text(stranger.get(reverse("appeals:faq_list"), {"q": "空调"}))
    assert "空调坏了找谁" in searched and "食堂早餐几点开" not in searched
    by_category = _text(stranger.get(reverse("appeals:faq_list"), {"category": taxonomy["食堂餐饮"].pk}))
    assert "食堂早餐几点开" in by_category and "空调坏了找谁" not in by_category
    none = _text(stranger.get(reverse("appeals:faq_list"), {"q": "停车"}))
    assert "No question matches" in none
    detail = stranger.get(reverse("appeals:faq_detail", args=[canteen.pk]))
    assert detail.status_code == 200
    assert "已提前到七点" in _text(detail) and "赵老师" not in _text(detail)
    assert stranger.get(reverse("appeals:faq_detail", args=[hidden.pk])).status_code == 404


def test_faq_empty_state(client: Client) -> None:
    assert "No questions published yet" in _text(client.get(reverse("appeals:faq_list")))


# -- portal blocks -----------------------------------------------------------------------------------------


def test_home_block_lists_replies_to_rate(client: Client, member: Any, taxonomy: Any) -> None:
    home = _text(client.get(reverse("dashboards:portal_home")))
    assert 'id="appeals-to-rate"' not in home
    appeal = factories.make_appeal(
        member, status=Status.REPLIED, category=taxonomy["食堂餐饮"], title="窗口太少"
    )
    home = _text(client.get(reverse("dashboards:portal_home")))
    assert 'id="appeals-to-rate"' in home and "窗口太少" in home
    Rating.objects.create(appeal=appeal, round=1, score=Rating.Score.SATISFIED)
    assert 'id="appeals-to-rate"' not in _text(client.get(reverse("dashboards:portal_home")))


def test_services_block_links(client: Client, make_user: Any) -> None:
    text = _text(client.get(reverse("dashboards:portal_section", args=["services"])))
    for name in ("appeals:portal_list", "appeals:portal_new", "appeals:faq_list"):
        assert reverse(name) in text
    nobody = Client()
    nobody.force_login(make_user(name="无档案"))
    text = _text(nobody.get(reverse("dashboards:portal_section", args=["services"])))
    # An account without a staff record gets no appeals block (its 服务 page keeps its empty state).
    assert 'id="appeals-block"' not in text and "empty-state" in text
