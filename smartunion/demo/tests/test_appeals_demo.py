"""The demo's appeals: the taxonomy of ``data/union_appeals``, eight months of appeals through the services,
a router trained on them, and the last weeks' appeals at every step — with the member login and the
承办部门 login (head of 后勤管理处) at work, anonymity kept and several 常见问题 published."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from django.core.management import call_command
from django.utils import timezone

from smartunion.ai.models import RouterModel
from smartunion.appeals.models import Appeal, Category, Event, Rating, Routing
from smartunion.appeals.selectors import sla
from smartunion.core.models import AuditEntry
from smartunion.demo.hardship import member_login_person
from smartunion.demo.management.commands.seed_demo import Command
from smartunion.notifications.models import Notification
from smartunion.organisations.models import HandlingOffice, OfficeStaff
from smartunion.organisations.selectors_offices import office_ids_of_user

Status = Appeal.Status


def test_seed_demo_holds_appeals_at_every_step(db: Any) -> None:
    out = io.StringIO()
    call_command("seed_demo", members=300, seed=3, stdout=out)
    printed = out.getvalue()
    assert "appeals: 200" in printed

    # The taxonomy: ten offices (校工会办公室 and 附属幼儿园 added, each with a head), described categories and
    # the SLAs (1/5 working days for repairs and the canteen, 2/10 otherwise).
    for name in ("校工会办公室", "附属幼儿园"):
        office = HandlingOffice.objects.get(name=name)
        assert office.duties and OfficeStaff.objects.filter(office=office, is_head=True).exists()
    categories = Category.objects.all()
    assert categories.count() == 52
    assert categories.values("office").distinct().count() == 10
    for category in categories:
        assert category.description and category.keywords, category
        fast = category.name in ("维修报修", "食堂餐饮")
        expected = (1, 5) if fast else (2, 10)
        assert (category.acknowledge_working_days, category.reply_working_days) == expected, category

    # Every status, most appeals handled to their end; every SLA colour on the lists.
    appeals = Appeal.objects.all()
    assert appeals.count() == 200
    counts = {status: appeals.filter(status=status).count() for status in Status.values}
    assert all(counts.values()), counts
    assert counts[Status.CLOSED] >= 120 and counts[Status.TRIAGE] >= 2
    assert counts[Status.ROUTED] >= 5 and counts[Status.IN_PROGRESS] >= 8 and counts[Status.REPLIED] >= 5
    running = list(appeals.filter(status__in=sla.RUNNING))
    assert {sla.GREEN, sla.YELLOW, sla.RED} <= set(sla.colours_for(running).values())
    assert Routing.objects.filter(source=Routing.Source.MISROUTED).count() >= 3
    scores = set(Rating.objects.values_list("score", flat=True))
    assert scores == {"satisfied", "basically", "unsatisfied"}
    assert Rating.objects.filter(round=2).exists()  # the one reopened and answered again
    satisfied = Rating.objects.filter(score__in=["satisfied", "basically"]).count()
    assert satisfied > 0.9 * Rating.objects.count()

    # The history is dated as it happened: eight months back, nothing in the future.
    now = timezone.now()
    assert appeals.order_by("created_at").first().created_at < now - dt.timedelta(days=200)  # type: ignore[union-attr]
    assert not Event.objects.filter(created_at__gt=now).exists()
    assert not AuditEntry.objects.filter(action__startswith="appeals.", created_at__gt=now).exists()

    # The router: the cold-start version first, then supervised versions trained on the confirmed routings and
    # evaluated on held-out ones (promoted or not by the rule: with ~150 examples over 52 categories the
    # cold start and a supervised version are close); one version is in use and the triage queue's appeals
    # carry its suggestions.
    versions = RouterModel.objects.filter(router="appeals").order_by("version")
    assert versions.first().examples == 0  # type: ignore[union-attr]
    supervised = versions.filter(examples__gte=100)
    assert supervised.count() >= 2
    assert all(m.metrics.get("evaluated") and m.metrics.get("macro_f1") is not None for m in supervised)
    assert versions.filter(status="active").count() == 1
    waiting = appeals.filter(status=Status.TRIAGE)
    assert all(appeal.suggestions for appeal in waiting)

    # Anonymity: the member's own steps of an anonymous appeal name nobody, in the timeline or the audit log.
    anonymous = appeals.filter(is_anonymous=True)
    assert anonymous.count() >= 10
    assert not appeals.filter(is_anonymous=False, allow_identity_reveal=True).exists()
    assert anonymous.filter(allow_identity_reveal=True).exists()
    assert anonymous.filter(allow_identity_reveal=False).exists()
    assert not Event.objects.filter(appeal__is_anonymous=True, by_member=True, actor__isnull=False).exists()
    for appeal in anonymous.select_related("person"):
        entries = AuditEntry.objects.filter(target_id=str(appeal.pk), action__startswith="appeals.appeal.")
        assert not entries.filter(actor_id=appeal.person.user_id).exists(), appeal
        office_mail = Notification.objects.filter(body__contains=appeal.title).exclude(
            recipient_id=appeal.person.user_id
        )
        assert not office_mail.filter(body__contains=appeal.person.name).exists()

    # 常见问题: published only with the member's consent, only when closed, naming nobody.
    published = appeals.exclude(published_at=None).select_related("person")
    assert published.count() >= 3
    for appeal in published:
        assert appeal.allow_publish and appeal.status == Status.CLOSED
        assert appeal.faq_question and appeal.faq_answer
        assert appeal.person.name not in appeal.faq_question + appeal.faq_answer

    # The member login: appeals in several states, one replied and waiting for the rating.
    member = member_login_person()
    assert member is not None and member.staff_no in printed
    own = set(appeals.filter(person=member).values_list("status", flat=True))
    assert {Status.REPLIED, Status.CLOSED, Status.IN_PROGRESS} <= own and len(own) >= 4

    # The 承办部门 login heads 后勤管理处 and has appeals to acknowledge and to answer.
    logins = {role: login for role, login, _ in Command().demo_logins()}
    office_login = OfficeStaff.objects.get(office__name="后勤管理处", is_head=True).user
    assert office_login.staff_no == logins["承办部门"]
    desk = appeals.filter(office_id__in=office_ids_of_user(office_login))
    assert desk.filter(status=Status.ROUTED).exists()
    assert desk.filter(status__in=[Status.IN_PROGRESS, Status.REOPENED]).count() >= 2
