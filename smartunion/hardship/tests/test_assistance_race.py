"""THE RACE: approvers deciding at the same moment never pass a yearly limit or the spouse rule twice, and
payers clicking together pay once. Threads on one database; runs on SQLite (whose IMMEDIATE transactions
queue writers) and, with DATABASE_URL set, on PostgreSQL (where the row locks do the work)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import translation

from smartunion.finance.models import Entry
from smartunion.hardship.models import AssistanceApplication
from smartunion.hardship.services import assistance as services
from smartunion.members.models import ServiceRecord

from . import factories
from .test_assistance import member, submit, to_approval, world

Status = AssistanceApplication.Status


def _run_together(works: list[Callable[[], Any]]) -> tuple[list[str], list[BaseException]]:
    barrier = threading.Barrier(len(works), timeout=60)
    outcomes: list[str] = []
    errors: list[BaseException] = []

    def run(work: Callable[[], Any]) -> None:
        try:
            with translation.override("en"):
                barrier.wait()
                work()
            outcomes.append("done")
        except ValidationError as refused:
            outcomes.append(refused.messages[0])
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(work,)) for work in works]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes, errors


def _approvers(w: Any, make_user: Any, count: int) -> list[Any]:
    return [make_user("union_staff", w.tree.root, name=f"审批人{n}") for n in range(count)]


@pytest.mark.django_db(transaction=True)
def test_concurrent_approvals_never_pass_the_yearly_count(tree: Any, make_user: Any) -> None:
    w = world(tree, make_user)
    programme = factories.make_programme(limit_count=1, limit_amount=None)
    applications = [to_approval(w, submit(w, programme=programme)) for _n in range(4)]
    approvers = _approvers(w, make_user, 4)
    outcomes, errors = _run_together(
        [
            (lambda a=application, u=approver: services.application_approve(actor=u, application=a))
            for application, approver in zip(applications, approvers, strict=True)
        ]
    )
    assert errors == []
    assert outcomes.count("done") == 1, outcomes
    assert all("the limit is 1 time" in o for o in outcomes if o != "done"), outcomes
    assert AssistanceApplication.objects.filter(programme=programme, status=Status.APPROVED).count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_approvals_of_two_spouses_pass_once(tree: Any, make_user: Any) -> None:
    w = world(tree, make_user)
    programme = factories.make_programme()
    # 王老师 names 李老师; 李老师 names nobody — the rule binds both ways.
    mine = to_approval(w, submit(w, programme=programme, spouse_staff_no=w.spouse.staff_no))
    theirs = to_approval(w, submit(w, w.spouse, programme=programme))
    first, second = _approvers(w, make_user, 2)
    outcomes, errors = _run_together(
        [
            lambda: services.application_approve(actor=first, application=mine),
            lambda: services.application_approve(actor=second, application=theirs),
        ]
    )
    assert errors == []
    assert outcomes.count("done") == 1, outcomes
    assert AssistanceApplication.objects.filter(programme=programme, status=Status.APPROVED).count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_payments_pay_once(tree: Any, make_user: Any) -> None:
    w = world(tree, make_user)
    application = services.application_approve(
        actor=w.office, application=to_approval(w, submit(w, member(tree.a1)))
    )
    payers = _approvers(w, make_user, 4)
    outcomes, errors = _run_together(
        [(lambda u=payer: services.application_pay(actor=u, application=application)) for payer in payers]
    )
    assert errors == []
    assert outcomes.count("done") == 4, outcomes  # the later ones get the same entry back
    assert Entry.objects.filter(source_type="hardship.assistance").count() == 1
    assert ServiceRecord.objects.filter(kind="hardship.assistance").count() == 1
    application.refresh_from_db()
    assert application.status == Status.PAID
