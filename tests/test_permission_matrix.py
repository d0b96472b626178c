"""The permission matrix: every URL of the project, for every seeded role, at the user's own unit and at
another unit, answers the status written here — and a denied POST changes nothing.

Each role is held at 机械工程学院 (unit A). "own" requests target objects inside A's subtree, "other"
requests the same kind of object in 外国语学院 (unit B). Out-of-scope objects answer 404, missing
permissions 403. A URL that is not in MATRIX fails ``test_every_url_is_in_the_matrix``: whoever adds a
page adds its row here. (School-wide functions — accounts, role definitions — are tested with roles
held at the top of the tree in the accounts tests; held at a sub-union they are refused, as below.)
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import pytest
from django.apps import apps
from django.contrib.sessions.models import Session
from django.core import serializers
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from smartunion.accounts import services as account_services
from smartunion.accounts.models import LoginAttempt, Role
from smartunion.activities.tests import matrix_activities as activities
from smartunion.ai.tests import matrix_ai
from smartunion.appeals.tests import matrix_appeals as appeals
from smartunion.core.models import ImportJob
from smartunion.finance.models import Category
from smartunion.finance.tests import matrix_finance as finance
from smartunion.hardship.tests import matrix_hardship as hardship
from smartunion.members import services as member_services
from smartunion.members.models import StaffCategory
from smartunion.members.tests import matrix_dues as dues
from smartunion.members.tests import matrix_joining as joining
from smartunion.notifications.models import Notification
from smartunion.organisations import services as org_services
from smartunion.organisations.models import PositionKind
from smartunion.proposals.tests import matrix_proposals as proposals
from smartunion.welfare.tests import matrix_welfare_care as welfare_care
from smartunion.welfare.tests import matrix_welfare_programmes as welfare_programmes
from smartunion.welfare.tests import matrix_welfare_vouchers as vouchers

ROLES = [
    "member",
    "subunion_chair",
    "subunion_committee",
    "union_staff",
    "union_chair",
    "handling_office",
    "auditor",
    "sysadmin",
    "merchant",
    "school_leader",
    "proposal_committee",
]
ANON = "anonymous"

Status = tuple[int, int]  # (own unit, other unit)


def allow(
    roles: set[str], own: int = 200, other: int = 404, denied: int | Status = 403, anonymous: int = 302
) -> dict[str, Status]:
    """Holders of the permission get (own, other); every other role gets ``denied`` (on both sides, or
    a pair when the two sides differ)."""
    unknown = roles - set(ROLES)
    assert not unknown, unknown
    refused = denied if isinstance(denied, tuple) else (denied, denied)
    table = {role: ((own, other) if role in roles else refused) for role in ROLES}
    table[ANON] = (anonymous, anonymous)
    return table


def everyone(own: int, other: int | None = None, anonymous: int = 302) -> dict[str, Status]:
    table = dict.fromkeys(ROLES, (own, own if other is None else other))
    table[ANON] = (anonymous, anonymous)
    return table


OFFICERS_VIEW = {"subunion_chair", "subunion_committee", "union_staff", "union_chair", "auditor", "sysadmin"}
UNIT_EDITORS = {"subunion_chair", "union_staff", "union_chair", "sysadmin"}
ROLE_ASSIGNERS = {"subunion_chair", "union_staff", "union_chair", "sysadmin"}
MEMBER_VIEWERS = {"subunion_chair", "subunion_committee", "union_staff", "union_chair"}
SENSITIVE_VIEWERS = {"union_staff", "union_chair"}
MEMBERSHIP_MANAGERS = {"subunion_chair", "union_staff", "union_chair"}
AUDIT_VIEWERS = {"union_staff", "union_chair", "auditor", "sysadmin"}
UNIT_IMPORTERS = {"union_staff", "sysadmin"}
CONSOLE_USERS = set(ROLES) - {"member", "merchant"}  # merchants have their one counter page
NOBODY: set[str] = set()
# The union office may act for a sub-union (and must hold every permission of the roles it grants).
APPLICATION_REVIEWERS = {"subunion_chair", "subunion_committee", "union_staff", "union_chair"}
APPLICATION_APPROVERS = {"union_staff", "union_chair"}
APPLICATION_HANDLERS = APPLICATION_REVIEWERS | APPLICATION_APPROVERS
FINANCE_VIEWERS = {"subunion_chair", "union_staff", "union_chair", "auditor"}
FINANCE_REQUESTERS = {"subunion_chair", "union_staff"}
FINANCE_APPROVERS = {"union_staff", "union_chair"}
FINANCE_POSTERS = {"union_staff"}
BUDGET_MANAGERS = {"union_staff"}

# -- welfare: programmes (programmes helper) --
WELFARE_VIEWERS = {"subunion_chair", "subunion_committee", "union_staff", "union_chair", "auditor"}
PROGRAMME_MANAGERS = {"subunion_chair", "union_staff"}
# -- end welfare programmes sets --
# -- hardship sets --
HARDSHIP_VIEWERS = {"union_staff", "union_chair", "subunion_chair"}
HARDSHIP_HANDLERS = {"union_staff", "subunion_chair"}  # manage files; see the full figures
HARDSHIP_APPROVERS = {"union_staff", "union_chair"}  # school-wide: 200 on both sides
HARDSHIP_STATS = {"union_staff", "union_chair", "subunion_chair", "auditor"}
ASSISTANCE_VIEWERS = {"union_staff", "union_chair", "subunion_chair"}
ASSISTANCE_REVIEWERS = {"union_staff", "subunion_chair"}
ASSISTANCE_APPROVERS = {"union_staff", "union_chair"}
# -- end hardship sets --
# -- activities sets --
ACTIVITY_VIEWERS = {"union_staff", "union_chair", "subunion_chair", "subunion_committee"}
ACTIVITY_ORGANISERS = {"union_staff", "subunion_chair", "subunion_committee"}
# -- end activities sets --
# -- proposals sets --
PROPOSAL_COMMITTEE = {"union_staff", "proposal_committee"}  # review, assign, supervise
PROPOSAL_VIEWERS = PROPOSAL_COMMITTEE | {"union_chair", "school_leader"}
PROPOSAL_SETUP = {"union_staff"}
PROPOSAL_OFFICES = {"handling_office"}
PROPOSAL_LEADERS = {"school_leader"}
# -- setup helper: sets --
OFFICE_MANAGERS = {"union_staff", "sysadmin"}  # organisations.offices.manage
CALENDAR_MANAGERS = {"union_staff", "sysadmin"}  # core.calendar.manage
# -- end setup helper --
# -- portal helper: sets --
# -- end portal helper --
# -- handling helper: sets --
# -- end handling helper --
# -- evaluation helper: sets --
PROPOSAL_SUPERVISORS = PROPOSAL_COMMITTEE  # proposals.supervise (督办, 回头看)
PROPOSAL_STATS = PROPOSAL_VIEWERS  # proposals.stats.view
# -- end evaluation helper --
# -- end proposals sets --
# -- appeals and ai sets --
APPEAL_VIEWERS = {"union_staff", "union_chair"}  # appeals.view
APPEAL_TRIAGERS = {"union_staff"}  # appeals.triage
APPEAL_OFFICES = {"handling_office"}  # appeals.handle
APPEAL_REVEALERS = {"union_chair"}  # appeals.identity.reveal
APPEAL_MANAGERS = {"union_staff"}  # appeals.manage
AI_MODEL_MANAGERS = {"union_staff", "sysadmin"}  # ai.models.manage
AI_RECOMMENDATION_VIEWERS = {"union_staff", "union_chair"}  # ai.recommendations.view
# -- portal helper: appeals sets --
# (none: the member's appeal pages need only a logged-in account; its own appeals, or 404)
# -- end portal helper --
# -- triage helper: appeals sets --
# -- end triage helper --
# -- office helper: appeals sets --
# -- end office helper --
# -- end appeals and ai sets --


@dataclass
class Entry:
    expect: dict[str, Status]
    kwargs: Callable[[SimpleNamespace, str, Any], dict[str, Any]] | None = None  # (world, side, user)
    method: str = "get"
    data: Callable[[SimpleNamespace, str], dict[str, Any]] | None = None
    query: str = ""
    notes: list[str] = field(default_factory=list)


def unit_of(side_attr: str) -> Callable[[SimpleNamespace, str, Any], dict[str, Any]]:
    def kwargs(world: SimpleNamespace, side: str, user: Any) -> dict[str, Any]:
        return {"pk": getattr(world, f"{side}_{side_attr}").pk}

    return kwargs


def job_kwargs(world: SimpleNamespace, side: str, user: Any) -> dict[str, Any]:
    """Import jobs belong to whoever uploaded them: "own" is the requester's job, "other" someone else's."""
    owner = user if (side == "own" and user is not None) else world.stranger
    job = ImportJob.objects.create(
        kind="organisations.units",
        filename="units.xlsx",
        created_by=owner,
        status=ImportJob.Status.PREVIEWED,
        counts={"create": 1, "update": 0, "total": 1, "ok": 1, "warning": 0, "error": 0, "skipped": 0},
        columns={"0": {"header": "单位编码", "field": "code"}},
        content=b"",
    )
    return {"pk": job.pk}


def notification_kwargs(world: SimpleNamespace, side: str, user: Any) -> dict[str, Any]:
    recipient = user if (side == "own" and user is not None) else world.stranger
    notification = Notification.objects.create(recipient=recipient, kind="test", title="测试通知", link="/m/")
    return {"pk": notification.pk}


def chart_category(world: SimpleNamespace, side: str, user: Any) -> dict[str, Any]:
    """The chart is school-wide: both sides name the same category (会费收入)."""
    return {"pk": Category.objects.get(code="401").pk}


def same(kwargs: dict[str, Any]) -> Callable[[SimpleNamespace, str, Any], dict[str, Any]]:
    return lambda world, side, user: kwargs


MATRIX: dict[str, Entry] = {
    # -- public and account pages -------------------------------------------------------------------
    "root": Entry(everyone(302)),
    "accounts:login": Entry(everyone(302, anonymous=200)),
    "accounts:logout": Entry(everyone(302), method="post"),
    "accounts:home": Entry(everyone(302)),
    "accounts:password_change": Entry(everyone(200)),
    "accounts:cas_login": Entry(everyone(302, anonymous=302)),  # CAS is off in tests: back to login
    "accounts:cas_callback": Entry(everyone(302, anonymous=302)),
    "set_language": Entry(
        everyone(302, anonymous=302), method="post", data=lambda w, s: {"language": "en", "next": "/"}
    ),
    # -- roles and accounts -------------------------------------------------------------------------
    "accounts:assignment_list": Entry(allow(ROLE_ASSIGNERS, 200, 200)),
    "accounts:assignment_create": Entry(allow(ROLE_ASSIGNERS, 200, 200)),
    "accounts:assignment_revoke": Entry(
        allow(ROLE_ASSIGNERS, 302, 404), unit_of("assignment"), method="post"
    ),
    "accounts:role_list": Entry(allow(ROLE_ASSIGNERS, 200, 200)),
    # Role definitions and accounts are school-wide: held at a sub-union, they are refused.
    "accounts:role_edit": Entry(
        allow(NOBODY), same({"pk": 1}), method="post", data=lambda w, s: {"name": "改名"}
    ),
    "accounts:user_list": Entry(allow(NOBODY)),
    "accounts:user_create": Entry(
        allow(NOBODY), method="post", data=lambda w, s: {"staff_no": "X9", "name": "新人"}
    ),
    "accounts:user_detail": Entry(allow(NOBODY), unit_of("person_user")),
    "accounts:user_reset_password": Entry(allow(NOBODY), unit_of("person_user"), method="post"),
    "accounts:user_toggle_active": Entry(allow(NOBODY), unit_of("person_user"), method="post"),
    # -- organisation -------------------------------------------------------------------------------
    "organisations:unit_list": Entry(allow(OFFICERS_VIEW, 200, 200)),
    "organisations:unit_create": Entry(
        allow(UNIT_EDITORS, 302, 200),
        method="post",
        data=lambda w, s: {
            "parent": getattr(w, f"{s}_unit").pk,
            "name": "新小组",
            "code": f"N-{s}",
            "union_type": "group",
        },
        notes=[
            "allowed POSTs for the other unit re-render the form (B is not a choice): 200, nothing created"
        ],
    ),
    "organisations:unit_detail": Entry(allow(OFFICERS_VIEW), unit_of("unit")),
    "organisations:unit_edit": Entry(allow(UNIT_EDITORS), unit_of("unit")),
    "organisations:unit_move": Entry(allow(UNIT_EDITORS), unit_of("unit")),
    "organisations:unit_merge": Entry(allow(UNIT_EDITORS), unit_of("unit")),
    "organisations:unit_deactivate": Entry(allow(UNIT_EDITORS, 302, 404), unit_of("unit"), method="post"),
    "organisations:alias_add": Entry(
        allow(UNIT_EDITORS, 302, 404), unit_of("unit"), method="post", data=lambda w, s: {"alias": f"别名{s}"}
    ),
    "organisations:alias_remove": Entry(allow(UNIT_EDITORS, 302, 404), unit_of("alias"), method="post"),
    "organisations:officer_add": Entry(allow(UNIT_EDITORS), unit_of("unit")),
    "organisations:officer_end": Entry(allow(UNIT_EDITORS), unit_of("term")),
    # -- staff ----------------------------------------------------------------------------------------
    "members:person_list": Entry(allow(MEMBER_VIEWERS, 200, 200)),
    "members:person_detail": Entry(allow(MEMBER_VIEWERS), unit_of("person")),
    "members:person_reveal_id": Entry(allow(SENSITIVE_VIEWERS, 200, 404), unit_of("person"), method="post"),
    # -- members: roster, membership lifecycle ----------------------------------------------------------
    "members:membership_action": Entry(
        {**allow(MEMBERSHIP_MANAGERS), "subunion_committee": (403, 404)},
        lambda world, side, user: {"pk": getattr(world, f"{side}_person").pk, "action": "retain"},
    ),
    "members:person_left": Entry(allow(MEMBERSHIP_MANAGERS), unit_of("person")),
    "members:transfer_certificate": Entry(allow(MEMBER_VIEWERS), unit_of("transfer")),
    "members:roster_bulk": Entry(
        allow(MEMBERSHIP_MANAGERS),
        method="post",
        data=lambda world, side: {
            "action": "retain_retired",
            "on": "2026-01-05",
            "ids": [getattr(world, f"{side}_person").pk],
        },
    ),
    "members:pending_list": Entry(allow(MEMBER_VIEWERS, 200, 200)),
    "members:ceremony_list": Entry(allow(MEMBER_VIEWERS, 200, 200)),
    "members:ceremony_new": Entry(
        allow(MEMBERSHIP_MANAGERS),
        method="post",
        data=lambda world, side: {"ids": [getattr(world, f"{side}_person").pk]},
    ),
    "members:ceremony_detail": Entry(allow(MEMBER_VIEWERS), unit_of("ceremony")),
    "members:retiree_list": Entry(allow(MEMBER_VIEWERS, 200, 200)),
    "members:lapse_list": Entry(allow(MEMBER_VIEWERS, 200, 200)),
    "members:lapse_decide": Entry(allow(MEMBER_VIEWERS), unit_of("lapse")),
    # -- members: joining, card, family, corrections ---------------------------------------------------
    "members:application_list": Entry(allow(APPLICATION_HANDLERS, 200, 200)),
    "members:application_detail": Entry(allow(APPLICATION_HANDLERS), unit_of("application")),
    "members:application_review": Entry(
        allow(APPLICATION_REVIEWERS, 302, 404),
        unit_of("application"),
        method="post",
        data=lambda w, s: {"comment": "同意"},
    ),
    "members:application_approve": Entry(
        allow(APPLICATION_APPROVERS, 302, 404), unit_of("reviewed_application"), method="post"
    ),
    "members:application_reject": Entry(
        allow(APPLICATION_REVIEWERS, 302, 404),
        unit_of("application"),
        method="post",
        data=lambda w, s: {"reason": "材料不全"},
    ),
    "members:correction_list": Entry(allow({"union_staff"}, 200, 200)),
    "members:correction_detail": Entry(allow({"union_staff"}), unit_of("correction")),
    "members:card_verify": Entry(allow(MEMBER_VIEWERS, 200, 200)),
    "members:my_apply": Entry(everyone(200), joining.as_member),
    "members:my_application": Entry(everyone(200), joining.as_member),
    "members:my_application_cancel": Entry(everyone(302, 404), joining.with_open_application, method="post"),
    "members:my_card": Entry(everyone(200), joining.as_member),
    "members:my_service_records": Entry(everyone(200), joining.as_member),
    "members:my_family": Entry(everyone(200), joining.as_member),
    "members:my_family_add": Entry(everyone(200), joining.as_member),
    "members:my_family_edit": Entry(everyone(200, 404), joining.my_family_member),
    "members:my_family_remove": Entry(everyone(302, 404), joining.my_family_member, method="post"),
    "members:my_corrections": Entry(everyone(200), joining.as_member),
    # -- members: dues and KPIs ------------------------------------------------------------------------
    "members:dues_sheet": Entry(allow(MEMBER_VIEWERS, 200, 200)),
    "members:dues_rules": Entry(allow(MEMBER_VIEWERS, 200, 200)),
    # The rule and the monthly record are school-wide: union staff held at a sub-union are refused.
    "members:dues_rule_new": Entry(allow(NOBODY)),
    "members:dues_month_record": Entry(allow(NOBODY), method="post", data=dues.month_data),
    "members:dues_charge_paid": Entry(
        allow({"union_staff"}, 302, 404), unit_of("charge"), method="post", data=lambda w, s: {"paid": "0"}
    ),
    "members:kpi_overview": Entry(allow(MEMBER_VIEWERS, 200, 200)),
    "members:kpi_people": Entry(allow(MEMBER_VIEWERS, 200, 200), query="?kpi=join_rate&group=eligible"),
    # -- finance --------------------------------------------------------------------------------------
    "finance:budget_list": Entry(allow(FINANCE_VIEWERS, 200, 200)),
    "finance:budget_line_new": Entry(allow(BUDGET_MANAGERS, 200, 200)),
    # -- finance: budget lines, adjustments, allocations (budgets helper) --
    "finance:budget_line_detail": Entry(allow(FINANCE_VIEWERS), unit_of("budget_line")),
    "finance:adjustment_new": Entry(allow(BUDGET_MANAGERS), unit_of("budget_line")),
    "finance:adjustment_list": Entry(allow(FINANCE_VIEWERS, 200, 200), query="?status=all"),
    "finance:adjustment_approve": Entry(
        allow(FINANCE_APPROVERS, 302, 404), unit_of("adjustment"), method="post"
    ),
    "finance:adjustment_reject": Entry(
        allow(FINANCE_APPROVERS, 302, 404),
        unit_of("adjustment"),
        method="post",
        data=lambda w, s: {"note": "理由不足"},
    ),
    # Only the requester may withdraw: other holders are sent back with the refusal (302), nothing changes.
    "finance:adjustment_cancel": Entry(
        allow(BUDGET_MANAGERS, 302, 404), unit_of("adjustment"), method="post"
    ),
    # Allocations are school-wide: roles held at a sub-union are refused, even union staff.
    "finance:allocation_list": Entry(allow(NOBODY)),
    "finance:allocation_new": Entry(allow(NOBODY)),
    "finance:allocation_detail": Entry(allow(NOBODY), unit_of("allocation")),
    # -- end budgets --
    "finance:request_list": Entry(allow(FINANCE_VIEWERS, 200, 200)),
    "finance:request_new": Entry(allow(FINANCE_REQUESTERS, 200, 200)),
    "finance:request_detail": Entry(allow(FINANCE_VIEWERS), unit_of("spending")),
    "finance:attachment": Entry(allow(FINANCE_VIEWERS), unit_of("attachment")),
    "finance:request_approve": Entry(allow(FINANCE_APPROVERS, 302, 404), unit_of("spending"), method="post"),
    "finance:request_reject": Entry(
        allow(FINANCE_APPROVERS, 302, 404),
        unit_of("spending"),
        method="post",
        data=lambda w, s: {"reason": "发票不全"},
    ),
    "finance:request_pay": Entry(
        allow(FINANCE_POSTERS, 302, 404), unit_of("approved_spending"), method="post"
    ),
    # Only the requester may cancel: other holders are told so on the request's page (200).
    "finance:request_cancel": Entry(allow(FINANCE_REQUESTERS, 200, 404), unit_of("spending"), method="post"),
    "finance:income_list": Entry(allow(FINANCE_VIEWERS, 200, 200)),
    # Dues income is posted school-wide: union staff held at a sub-union are refused.
    "finance:income_dues_record": Entry(allow(NOBODY), method="post", data=lambda w, s: {"month": "2026-01"}),
    "finance:ledger": Entry(allow(FINANCE_VIEWERS, 200, 200)),
    "finance:entry_detail": Entry(allow(FINANCE_VIEWERS), unit_of("entry")),
    # Reversals are the school office's (finance.post at the top): held at a sub-union, refused.
    "finance:entry_reverse": Entry(
        allow(FINANCE_POSTERS, 403, 404), unit_of("entry"), method="post", data=lambda w, s: {"reason": "x"}
    ),
    # The audit committee's checks cover the whole ledger: finance.view held at a sub-union is refused.
    "finance:ledger_verify": Entry(allow(NOBODY)),
    "finance:entry_sample": Entry(allow(NOBODY), query="?size=5&seed=1"),
    # -- finance: 拨缴经费, fiscal years, opening balances (books helper) --
    # School-wide bookkeeping (拨缴经费, the close, typing in opening balances) needs finance.post at the top.
    "finance:allocation_income_record": Entry(
        allow(NOBODY),
        method="post",
        data=lambda w, s: {"month": "2026-01", "payroll_total": "1000", "rate": "2", "retained_share": "60"},
    ),
    "finance:year_list": Entry(allow(FINANCE_VIEWERS, 200, 200)),
    "finance:year_close": Entry(allow(NOBODY), same({"year": 2025})),
    # The list of opening balances is scoped to the user's units; its form (and POST) is the office's.
    "finance:opening_balance": Entry(allow(FINANCE_VIEWERS, 200, 200)),
    # -- end books --
    # -- finance: the chart of categories --
    "finance:category_list": Entry(allow(FINANCE_VIEWERS, 200, 200)),
    # The chart is school-wide: union staff held at a sub-union are refused.
    "finance:category_new": Entry(
        allow(NOBODY), method="post", data=lambda w, s: {"code": "59", "name": "x"}
    ),
    "finance:category_edit": Entry(
        allow(NOBODY), chart_category, method="post", data=lambda w, s: {"name": "x"}
    ),
    # -- end chart --
    # -- finance: reports (reports helper) --
    # Reports read the user's own finance.view scope: every holder gets a page (of their subtree's figures).
    "finance:execution_report": Entry(allow(FINANCE_VIEWERS, 200, 200), query="?dimension=category"),
    "finance:year_report": Entry(allow(FINANCE_VIEWERS, 200, 200)),
    # -- end reports --
    # -- welfare: standards (standards helper) --
    # The standards are school-wide: every holder of welfare.view reads the same pages (200 on both sides);
    # changing them needs welfare.standards.manage at the top of the tree, so roles held at a sub-union
    # (even union staff) are refused. The objects are the seeded ones (结婚, the festival caps).
    "welfare:standard_list": Entry(allow(WELFARE_VIEWERS, 200, 200)),
    "welfare:item_detail": Entry(
        allow(WELFARE_VIEWERS, 200, 200),
        lambda w, s, u: {"pk": apps.get_model("welfare", "WelfareItem").objects.get(code="wedding").pk},
    ),
    "welfare:item_new": Entry(
        allow(NOBODY),
        method="post",
        data=lambda w, s: {
            "code": "lantern",
            "name": "元宵",
            "kind": "festival",
            "expense_category_code": "50203",
        },
    ),
    "welfare:item_edit": Entry(
        allow(NOBODY),
        lambda w, s, u: {"pk": apps.get_model("welfare", "WelfareItem").objects.get(code="wedding").pk},
        method="post",
        data=lambda w, s: {
            "code": "wedding",
            "name": "改名",
            "kind": "life_event",
            "expense_category_code": "50203",
        },
    ),
    "welfare:standard_new": Entry(
        allow(NOBODY),
        lambda w, s, u: {"pk": apps.get_model("welfare", "WelfareItem").objects.get(code="wedding").pk},
        method="post",
        data=lambda w, s: {
            "effective_from": "2027-01-01",
            "cap_per_event": "1",
            "allowed_forms": ["in_kind"],
            "eligible_statuses": ["full"],
        },
    ),
    "welfare:standard_edit": Entry(
        allow(NOBODY),
        lambda w, s, u: {"pk": apps.get_model("welfare", "WelfareStandard").objects.earliest("pk").pk},
    ),
    "welfare:standard_confirm": Entry(
        allow(NOBODY),
        lambda w, s, u: {"pk": apps.get_model("welfare", "WelfareStandard").objects.earliest("pk").pk},
        method="post",
    ),
    "welfare:cap_new": Entry(
        allow(NOBODY),
        method="post",
        data=lambda w, s: {
            "group": apps.get_model("welfare", "CapGroup").objects.get(code="festival").pk,
            "effective_from": "2027-01-01",
            "cap_per_member_year": "1",
        },
    ),
    "welfare:cap_confirm": Entry(
        allow(NOBODY),
        lambda w, s, u: {"pk": apps.get_model("welfare", "GroupCap").objects.earliest("pk").pk},
        method="post",
    ),
    # -- end welfare standards --
    # -- welfare: programmes and the member's choice (programmes helper) --
    "welfare:programme_list": Entry(allow(WELFARE_VIEWERS, 200, 200)),
    "welfare:programme_new": Entry(allow(PROGRAMME_MANAGERS, 200, 200)),
    "welfare:programme_detail": Entry(allow(WELFARE_VIEWERS), welfare_programmes.programme),
    "welfare:programme_edit": Entry(allow(PROGRAMME_MANAGERS), welfare_programmes.programme),
    "welfare:programme_option_new": Entry(allow(PROGRAMME_MANAGERS), welfare_programmes.programme),
    "welfare:programme_option_delete": Entry(
        allow(PROGRAMME_MANAGERS, 302, 404), welfare_programmes.option, method="post"
    ),
    "welfare:programme_option_default": Entry(
        allow(PROGRAMME_MANAGERS, 302, 404), welfare_programmes.option, method="post"
    ),
    "welfare:programme_open": Entry(
        allow(PROGRAMME_MANAGERS, 302, 404), welfare_programmes.programme, method="post"
    ),
    # Before the deadline the issuance is refused with its reason on the programme's page (302).
    "welfare:programme_issue": Entry(
        allow(PROGRAMME_MANAGERS, 302, 404), welfare_programmes.open_programme, method="post"
    ),
    "welfare:programme_progress": Entry(allow(WELFARE_VIEWERS), welfare_programmes.open_programme),
    "welfare:programme_entitlements": Entry(allow(WELFARE_VIEWERS), welfare_programmes.open_programme),
    # The member's own choice: a programme they are not listed in does not exist for them (404).
    "welfare:portal_choose": Entry(everyone(200, 404), welfare_programmes.my_choice),
    "welfare:my_benefits": Entry(everyone(200)),
    # -- end welfare programmes --
    # -- welfare: vouchers, merchants, settlements (vouchers helper) --
    # The member's own vouchers: "own" is a voucher of the requesting user, "other" another member's.
    "welfare:my_vouchers": Entry(everyone(200)),
    "welfare:my_voucher": Entry(everyone(200, 404), vouchers.my_voucher),
    # The counter: a cashier of the "own" merchant; a voucher or redemption of another shop is 404.
    "welfare:merchant_home": Entry(allow({"merchant"}, 200, 200), vouchers.counter),
    "welfare:merchant_check": Entry(allow({"merchant"}, 200, 404), vouchers.counter, data=vouchers.code),
    "welfare:merchant_redeem": Entry(
        allow({"merchant"}, 302, 404), vouchers.counter, method="post", data=vouchers.code
    ),
    "welfare:merchant_redemption": Entry(allow({"merchant"}, 200, 404), vouchers.redemption),
    # Merchants serve the whole school: their console pages need welfare.merchants.manage at the top, so
    # union staff held at a sub-union are refused (the office's own use is in test_views_vouchers).
    "welfare:merchant_list": Entry(allow(NOBODY)),
    "welfare:merchant_new": Entry(allow(NOBODY), method="post", data=lambda w, s: {"name": "伪造商户"}),
    "welfare:merchant_edit": Entry(
        allow(NOBODY), vouchers.merchant, method="post", data=lambda w, s: {"name": "伪造商户"}
    ),
    "welfare:merchant_cashier_add": Entry(
        allow(NOBODY),
        vouchers.merchant,
        method="post",
        data=lambda w, s: {"staff_no": "SH-HACK", "name": "x"},
    ),
    "welfare:merchant_cashier_remove": Entry(allow(NOBODY), vouchers.cashier, method="post"),
    "welfare:reconciliation": Entry(allow(NOBODY), vouchers.merchant),
    "welfare:settlement_new": Entry(allow(NOBODY), vouchers.merchant, method="post"),
    "welfare:settlement_list": Entry(allow(NOBODY)),
    "welfare:settlement_detail": Entry(allow(NOBODY), vouchers.settlement),
    # -- end welfare vouchers --
    # -- welfare: care visits and birthdays (care helper) --
    # Roles are held at sub-union A; the events are 分工会-level (A's chair may approve, A's officers visit).
    "welfare:care_event_list": Entry(
        allow(WELFARE_VIEWERS, 200, 200),
        query="?tab=all",
    ),
    "welfare:care_event_new": Entry(allow({"subunion_chair", "subunion_committee", "union_staff"}, 200, 200)),
    "welfare:care_event_detail": Entry(
        allow(WELFARE_VIEWERS),
        unit_of("care_event"),
    ),
    "welfare:care_event_approve": Entry(
        allow({"subunion_chair", "union_staff", "union_chair"}, 302, 404),
        unit_of("care_event"),
        method="post",
        data=lambda w, s: {"amount": "500.00", "form": "cash"},
    ),
    "welfare:care_event_reject": Entry(
        allow({"subunion_chair", "union_staff", "union_chair"}, 302, 404),
        unit_of("care_event"),
        method="post",
        data=lambda w, s: {"note": "不符"},
    ),
    # Only the reporter, the member concerned or an approver may cancel: other viewers are refused (403).
    "welfare:care_event_cancel": Entry(
        {
            **allow({"subunion_chair", "union_staff", "union_chair"}, 302, 404),
            "subunion_committee": (403, 404),
            "auditor": (403, 404),
        },
        unit_of("care_event"),
        method="post",
    ),
    "welfare:care_visit_record": Entry(
        allow({"subunion_chair", "subunion_committee", "union_staff"}, 302, 404),
        unit_of("care_approved"),
        method="post",
        data=lambda w, s: {"visited_on": timezone.localdate().isoformat(), "visitors": "甲、乙"},
    ),
    "welfare:care_photo": Entry(
        allow(WELFARE_VIEWERS),
        unit_of("care_photo"),
    ),
    "welfare:care_stats": Entry(allow(WELFARE_VIEWERS, 200, 200)),
    # The list of event types is school-wide (welfare.standards.manage at the top): refused at a sub-union.
    "welfare:care_type_list": Entry(allow(NOBODY)),
    "welfare:care_type_new": Entry(allow(NOBODY)),
    "welfare:care_type_edit": Entry(allow(NOBODY), lambda w, s, u: {"pk": w.care_type.pk}),
    "welfare:portal_care_mine": Entry(everyone(200)),
    "welfare:portal_care_report": Entry(everyone(200)),
    # -- end welfare care --
    # -- audit and imports ----------------------------------------------------------------------------
    "core:audit_list": Entry(allow(AUDIT_VIEWERS, 200, 200)),
    "core:import_list": Entry(allow(UNIT_IMPORTERS, 200, 200)),
    "core:import_new": Entry(allow(UNIT_IMPORTERS, 200, 200), same({"kind": "organisations.units"})),
    "core:import_template": Entry(allow(UNIT_IMPORTERS, 200, 200), same({"kind": "organisations.units"})),
    "core:import_detail": Entry(everyone(200, 404), job_kwargs),
    # Someone else's job does not exist for you (404); your own job of a kind you may not import: 403.
    "core:import_remap": Entry(allow(UNIT_IMPORTERS, 302, 404, denied=(403, 404)), job_kwargs, method="post"),
    "core:import_apply": Entry(allow(UNIT_IMPORTERS, 302, 404, denied=(403, 404)), job_kwargs, method="post"),
    "core:import_errors": Entry(allow(UNIT_IMPORTERS, 200, 404, denied=(403, 404)), job_kwargs),
    # -- shells ---------------------------------------------------------------------------------------
    "dashboards:console_home": Entry(allow(CONSOLE_USERS, 200, 200)),
    "dashboards:portal_home": Entry(everyone(200)),
    "dashboards:portal_me": Entry(everyone(200)),
    "dashboards:portal_section": Entry(everyone(200), same({"section": "activities"})),
    "dashboards:manifest": Entry(everyone(200, anonymous=200)),
    "dashboards:service_worker": Entry(everyone(200, anonymous=200)),
    "dashboards:offline": Entry(everyone(200, anonymous=200)),
    "notifications:portal_inbox": Entry(everyone(200)),
    "notifications:console_inbox": Entry(allow(CONSOLE_USERS, 200, 200)),
    "notifications:open": Entry(everyone(302, 404), notification_kwargs),
    "notifications:mark_all_read": Entry(everyone(302), method="post"),
    # -- hardship: files (files helper) --
    "hardship:file_list": Entry(allow(HARDSHIP_VIEWERS, 200, 200)),
    "hardship:file_new": Entry(allow(HARDSHIP_HANDLERS, 200, 200)),
    "hardship:file_detail": Entry(allow(HARDSHIP_VIEWERS), unit_of("hfile_active")),
    "hardship:file_edit": Entry(allow(HARDSHIP_HANDLERS), unit_of("hfile_draft")),
    "hardship:file_household_add": Entry(allow(HARDSHIP_HANDLERS), unit_of("hfile_draft")),
    "hardship:file_household_edit": Entry(allow(HARDSHIP_HANDLERS), hardship.draft_household_member),
    "hardship:file_household_remove": Entry(
        allow(HARDSHIP_HANDLERS, 302, 404), hardship.draft_household_member, method="post"
    ),
    "hardship:file_document_upload": Entry(
        allow(HARDSHIP_HANDLERS, 302, 404), unit_of("hfile_draft"), method="post", data=hardship.document_data
    ),
    "hardship:file_submit": Entry(
        allow(HARDSHIP_HANDLERS, 302, 404),
        unit_of("hfile_draft"),
        method="post",
        data=lambda w, s: {"paper_consent": "on", "guardian_consent": "on"},
    ),
    "hardship:file_withdraw": Entry(
        allow(HARDSHIP_HANDLERS, 302, 404),
        unit_of("hfile_applied"),
        method="post",
        data=lambda w, s: {"reason": "本人撤回"},
    ),
    "hardship:file_visit": Entry(
        allow(HARDSHIP_HANDLERS, 302, 404), unit_of("hfile_applied"), method="post", data=hardship.visit_data
    ),
    "hardship:file_unit_review": Entry(
        allow(HARDSHIP_HANDLERS, 302, 404),
        unit_of("hfile_visited"),
        method="post",
        data=lambda w, s: {"decision": "approve", "note": "评议通过"},
    ),
    "hardship:file_objection_raise": Entry(
        allow(HARDSHIP_HANDLERS, 302, 404),
        unit_of("hfile_notice"),
        method="post",
        data=lambda w, s: {"text": "书面异议"},
    ),
    "hardship:file_objection_resolve": Entry(
        allow(HARDSHIP_HANDLERS, 302, 404),
        unit_of("hobjection"),
        method="post",
        data=lambda w, s: {"upheld": "no", "resolution": "经核实不属实"},
    ),
    # The school's decisions need hardship.files.approve at the top of the tree: approvers held at a
    # sub-union (unit A) are refused (403), outsiders get 404.
    "hardship:file_approve": Entry(
        allow(HARDSHIP_APPROVERS, 403, 404), unit_of("hfile_notice"), method="post"
    ),
    "hardship:file_reject": Entry(
        allow(HARDSHIP_APPROVERS, 403, 404),
        unit_of("hfile_notice"),
        method="post",
        data=lambda w, s: {"reason": "不符合条件"},
    ),
    "hardship:file_override": Entry(
        allow(HARDSHIP_APPROVERS, 403, 404),
        unit_of("hfile_active"),
        method="post",
        data=lambda w, s: {"category": "accident", "reason": "突发事故"},
    ),
    # Documents: the case handlers only; the union chair (files without figures) gets 404 as outsiders do.
    "hardship:document_download": Entry(
        {**allow(HARDSHIP_HANDLERS), "union_chair": (404, 404)}, unit_of("hdocument")
    ),
    # -- end hardship files --
    # -- hardship: reviews, help plans, 低保, statistics (reviews helper) --
    # The queue reads the user's scope; the round, the 低保 table and the statistics are school-wide pages
    # (200 on both sides for holders; the statistics show the holder's subtree).
    "hardship:review_list": Entry(allow(HARDSHIP_VIEWERS, 200, 200), query="?tab=overdue"),
    # The round covers the whole school: hardship.reviews.manage held at a sub-union is refused.
    "hardship:review_round_new": Entry(allow(NOBODY)),
    "hardship:review_record": Entry(
        allow(HARDSHIP_HANDLERS, 302, 404),
        unit_of("hreview"),
        method="post",
        data=lambda w, s: {"result": "continue", "note": "情况未变"},
    ),
    # Closing a file is the school union's (hardship.files.approve at the top): held at A, refused.
    "hardship:file_exit": Entry(
        allow(HARDSHIP_APPROVERS, 403, 404),
        unit_of("hfile_active"),
        method="post",
        data=lambda w, s: {"reason": "已脱困"},
    ),
    "hardship:file_remove": Entry(
        allow(HARDSHIP_APPROVERS, 403, 404),
        unit_of("hfile_active"),
        method="post",
        data=lambda w, s: {"reason": "调离", "kind": "left"},
    ),
    "hardship:measure_new": Entry(allow(HARDSHIP_HANDLERS), unit_of("hfile_active")),
    "hardship:measure_edit": Entry(allow(HARDSHIP_HANDLERS), unit_of("hmeasure")),
    "hardship:measure_done": Entry(
        allow(HARDSHIP_HANDLERS, 302, 404),
        unit_of("hmeasure"),
        method="post",
        data=lambda w, s: {"outcome": "已送达"},
    ),
    "hardship:measure_cancel": Entry(allow(HARDSHIP_HANDLERS, 302, 404), unit_of("hmeasure"), method="post"),
    "hardship:dibao_list": Entry(allow(HARDSHIP_VIEWERS, 200, 200)),
    # The 低保 table is school-wide: editing needs hardship.dibao.manage at the top of the tree.
    "hardship:dibao_new": Entry(allow(NOBODY)),
    "hardship:dibao_edit": Entry(allow(NOBODY), lambda w, s, u: {"pk": hardship.factories.dibao().pk}),
    "hardship:stats": Entry(allow(HARDSHIP_STATS, 200, 200)),
    # -- end hardship reviews --
    # -- hardship: assistance programmes and applications (assistance helper) --
    # Programmes are school-wide: every holder of hardship.assistance.view reads the same pages (200 on both
    # sides); writing them needs hardship.assistance.manage at the top, so roles held at a sub-union (even
    # union staff) are refused.
    "hardship:programme_list": Entry(allow(ASSISTANCE_VIEWERS, 200, 200)),
    "hardship:programme_detail": Entry(
        allow(ASSISTANCE_VIEWERS, 200, 200), lambda w, s, u: {"pk": w.hardship_programme.pk}
    ),
    "hardship:programme_new": Entry(
        allow(NOBODY),
        method="post",
        data=lambda w, s: {
            "code": "forged",
            "name": "伪造",
            "condition_label": "x",
            "expense_category_code": "50201",
        },
    ),
    "hardship:programme_edit": Entry(
        allow(NOBODY),
        lambda w, s, u: {"pk": w.hardship_programme.pk},
        method="post",
        data=lambda w, s: {
            "code": "matrix_temp",
            "name": "改名",
            "condition_label": "x",
            "expense_category_code": "50201",
        },
    ),
    "hardship:programme_rule_new": Entry(
        allow(NOBODY),
        lambda w, s, u: {"pk": w.hardship_programme.pk},
        method="post",
        data=lambda w, s: {
            "effective_from": "2099-01-01",
            "staff_approval_limit": "1",
            "band_1_lower": "0",
            "band_1_amount": "1",
        },
    ),
    "hardship:programme_rule_edit": Entry(allow(NOBODY), hardship.programme_rule),
    # Applications belong to the member's unit: the list and the on-behalf form are scoped (200 on both
    # sides), an application of the other side answers 404.
    "hardship:application_list": Entry(allow(ASSISTANCE_VIEWERS, 200, 200), query="?tab=all"),
    "hardship:application_new": Entry(allow(ASSISTANCE_REVIEWERS, 200, 200)),
    "hardship:application_detail": Entry(allow(ASSISTANCE_VIEWERS), unit_of("happ_submitted")),
    "hardship:application_review": Entry(
        allow(ASSISTANCE_REVIEWERS, 302, 404),
        unit_of("happ_submitted"),
        method="post",
        data=lambda w, s: {"decision": "pass", "note": "属实"},
    ),
    # Approval and payment are the school union's (at the top of the tree): held at a sub-union, refused.
    "hardship:application_approve": Entry(
        allow(ASSISTANCE_APPROVERS, 403, 404),
        unit_of("happ_unit_approved"),
        method="post",
        data=lambda w, s: {"amount": "1000"},
    ),
    # The sub-union's reviewers reject at the review; the chair held at a sub-union is no approver (403).
    "hardship:application_reject": Entry(
        {**allow(ASSISTANCE_REVIEWERS, 302, 404), "union_chair": (403, 404)},
        unit_of("happ_submitted"),
        method="post",
        data=lambda w, s: {"reason": "不符合条件"},
    ),
    "hardship:application_pay": Entry(
        allow({"union_staff"}, 403, 404),
        unit_of("happ_approved"),
        method="post",
        data=lambda w, s: {"paid_on": timezone.localdate().isoformat()},
    ),
    # The member's pages: their own application (404 for anyone else's).
    "hardship:portal_assistance": Entry(everyone(200)),
    "hardship:portal_assistance_apply": Entry(everyone(200), lambda w, s, u: {"pk": w.hardship_programme.pk}),
    "hardship:portal_assistance_detail": Entry(everyone(200, 404), hardship.portal_own_application),
    "hardship:portal_assistance_withdraw": Entry(
        everyone(302, 404), hardship.portal_own_application, method="post"
    ),
    # -- end hardship assistance --
    # -- hardship: member portal, notices, personal data (portal helper) --
    # The member's own file only: another member's is 404 (the requester has a staff record either way).
    "hardship:portal_file": Entry(everyone(200), joining.as_member),
    "hardship:portal_file_apply": Entry(everyone(200), joining.as_member),
    "hardship:portal_file_edit": Entry(everyone(200, 404), hardship.portal_own_draft),
    "hardship:portal_file_household": Entry(everyone(200, 404), hardship.portal_own_draft),
    "hardship:portal_household_remove": Entry(
        everyone(302, 404), hardship.portal_own_household_member, method="post"
    ),
    "hardship:portal_file_document": Entry(
        everyone(302, 404),
        hardship.portal_own_draft,
        method="post",
        data=lambda world, side: {"kind": "income"},
    ),
    # The member's own document ("own": one on the requester's own draft); anyone else's is 404.
    "hardship:portal_document": Entry(
        everyone(200, 404),
        lambda w, s, u: {
            "pk": getattr(w, f"{s}_hdocument").pk
            if u is None or s != "own"
            else hardship.Document.objects.create(
                file_id=hardship.portal_own_draft(w, s, u)["pk"],
                kind="income",
                filename="证明.pdf",
                content_type="application/pdf",
                size=len(hardship.PDF),
                content=__import__("smartunion.core.crypto", fromlist=["x"]).encrypt_bytes(hardship.PDF),
                uploaded_by=u,
            ).pk
        },
    ),
    "hardship:portal_file_submit": Entry(everyone(200, 404), hardship.portal_own_draft),
    "hardship:portal_file_withdraw": Entry(everyone(200, 404), hardship.portal_own_draft),
    # 公示: school-wide, for every logged-in user (name and unit only).
    "hardship:portal_notices": Entry(everyone(200)),
    "hardship:portal_notice_object": Entry(everyone(200), unit_of("hfile_notice")),
    # 个人信息查阅复制: the user's own data, no pk ("other": an account without a staff record).
    "members:my_data": Entry(everyone(200), joining.as_member),
    "members:my_data_download": Entry(everyone(200), joining.as_member),
    # -- end hardship portal --
    # -- activities: console (console helper) --
    "activities:console_list": Entry(allow(ACTIVITY_VIEWERS, 200, 200), query="?tab=open"),
    "activities:console_new": Entry(allow(ACTIVITY_ORGANISERS, 200, 200)),
    "activities:console_ideas": Entry(allow({"union_staff", "subunion_chair"}, 200, 200)),
    "activities:console_idea_close": Entry(
        allow({"union_staff", "subunion_chair"}, 302, 404),
        unit_of("idea"),
        method="post",
        data=lambda w, s: {"note": "暂不安排"},
    ),
    "activities:console_stats": Entry(allow(ACTIVITY_VIEWERS, 200, 200)),
    "activities:console_detail": Entry(allow(ACTIVITY_VIEWERS), unit_of("activity")),
    "activities:console_edit": Entry(allow(ACTIVITY_ORGANISERS), unit_of("activity")),
    # Publishing a published activity is refused with a message: back to the page (302), nothing changed.
    "activities:console_publish": Entry(
        allow(ACTIVITY_ORGANISERS, 302, 404), unit_of("activity"), method="post"
    ),
    "activities:console_cancel": Entry(allow(ACTIVITY_ORGANISERS), unit_of("activity")),
    "activities:console_finish": Entry(
        allow(ACTIVITY_ORGANISERS, 302, 404), unit_of("activity"), method="post"
    ),
    "activities:console_quota_set": Entry(
        allow(ACTIVITY_ORGANISERS, 302, 404),
        unit_of("activity"),
        method="post",
        data=lambda w, s: {"unit": getattr(w, f"{s}_unit").pk, "places": "2"},
    ),
    "activities:console_quotas_release": Entry(
        allow(ACTIVITY_ORGANISERS, 302, 404), unit_of("activity"), method="post"
    ),
    "activities:console_question_add": Entry(
        allow(ACTIVITY_ORGANISERS, 302, 404),
        unit_of("activity"),
        method="post",
        data=lambda w, s: {"label": "备注", "kind": "text"},
    ),
    "activities:console_question_edit": Entry(
        allow(ACTIVITY_ORGANISERS),
        lambda w, s, u: {
            "pk": getattr(w, f"{s}_activity").pk,
            "question_pk": getattr(w, f"{s}_activity").questions.first().pk,
        },
    ),
    "activities:console_question_remove": Entry(
        allow(ACTIVITY_ORGANISERS, 302, 404),
        lambda w, s, u: {
            "pk": getattr(w, f"{s}_activity").pk,
            "question_pk": getattr(w, f"{s}_activity").questions.first().pk,
        },
        method="post",
    ),
    "activities:console_invitations_add": Entry(
        allow(ACTIVITY_ORGANISERS, 302, 404),
        unit_of("activity"),
        method="post",
        data=lambda w, s: {"staff_numbers": getattr(w, f"{s}_person").staff_no},
    ),
    "activities:console_invitation_remove": Entry(
        allow(ACTIVITY_ORGANISERS, 302, 404),
        lambda w, s, u: {
            "pk": getattr(w, f"{s}_activity").pk,
            "invitation_pk": getattr(w, f"{s}_invitation").pk,
        },
        method="post",
    ),
    "activities:console_judges": Entry(allow(ACTIVITY_ORGANISERS), unit_of("activity")),
    "activities:console_batches": Entry(allow(ACTIVITY_VIEWERS), unit_of("activity")),
    "activities:console_registrations": Entry(allow(ACTIVITY_VIEWERS), unit_of("activity")),
    "activities:console_bulk_register": Entry(allow(ACTIVITY_ORGANISERS), unit_of("activity")),
    # A first-come activity has no lottery: its page sends back to the activity (302).
    "activities:console_lottery": Entry(allow(ACTIVITY_VIEWERS, 302, 404), unit_of("activity")),
    # Approving a confirmed registration is refused with a message: back to the list (302), nothing changed.
    "activities:console_registration_approve": Entry(
        allow(ACTIVITY_ORGANISERS, 302, 404),
        lambda w, s, u: {
            "pk": getattr(w, f"{s}_activity").pk,
            "registration_pk": getattr(w, f"{s}_registration").pk,
        },
        method="post",
    ),
    "activities:console_registration_reject": Entry(
        allow(ACTIVITY_ORGANISERS),
        lambda w, s, u: {
            "pk": getattr(w, f"{s}_activity").pk,
            "registration_pk": getattr(w, f"{s}_registration").pk,
        },
    ),
    "activities:console_registration_cancel": Entry(
        allow(ACTIVITY_ORGANISERS),
        lambda w, s, u: {
            "pk": getattr(w, f"{s}_activity").pk,
            "registration_pk": getattr(w, f"{s}_registration").pk,
        },
    ),
    # -- end activities console --
    # -- activities: member portal, clubs, ideas (portal helper) --
    # The 活动 tab is everyone's (the world's activities are school-wide). Acting on "my" objects: "own"
    # gives the requesting user a staff record (and their own registration, or the club's officer role);
    # "other" has none (registering without a staff record is refused: 403) or names another member's
    # registration (404). Join, leave and votes without a staff record answer with a message (302).
    "activities:portal_browse": Entry(everyone(200)),
    "activities:portal_activity": Entry(everyone(200), unit_of("activity")),
    "activities:portal_register": Entry(
        everyone(303, 403),
        activities.portal_as_member("activity"),
        method="post",
        data=lambda w, s: {"idempotency_key": f"matrix-post-{s}", "quantity": "1"},
    ),
    "activities:portal_mine": Entry(everyone(200), joining.as_member),
    "activities:portal_registration": Entry(everyone(200, 404), activities.portal_own_registration),
    "activities:portal_cancel": Entry(everyone(302, 404), activities.portal_own_registration, method="post"),
    "activities:portal_accept": Entry(everyone(302, 404), activities.portal_own_registration, method="post"),
    "activities:portal_decline": Entry(everyone(302, 404), activities.portal_own_registration, method="post"),
    "activities:portal_clubs": Entry(everyone(200), joining.as_member),
    "activities:portal_club": Entry(everyone(200), activities.portal_as_member("club")),
    "activities:portal_club_join": Entry(everyone(302), activities.portal_as_member("club"), method="post"),
    "activities:portal_club_leave": Entry(everyone(302), activities.portal_as_member("club"), method="post"),
    "activities:portal_club_plan": Entry(
        everyone(302, 403), activities.portal_club_officer, method="post", data=activities.plan_data
    ),
    "activities:portal_ideas": Entry(everyone(200), joining.as_member),
    "activities:portal_idea_vote": Entry(everyone(302), activities.portal_as_member("idea"), method="post"),
    "activities:portal_idea_unvote": Entry(everyone(302), activities.portal_as_member("idea"), method="post"),
    # The union office's club pages (activities.clubs.manage: union_staff, over the club's unit).
    "activities:club_list": Entry(allow({"union_staff"}, 200, 200)),
    "activities:club_new": Entry(allow({"union_staff"}, 200, 200)),
    "activities:club_detail": Entry(allow({"union_staff"}), unit_of("club")),
    "activities:club_plan": Entry(
        allow({"union_staff"}, 302, 404), unit_of("club"), method="post", data=activities.plan_data
    ),
    "activities:club_officer": Entry(
        allow({"union_staff"}, 302, 404),
        activities.club_membership,
        method="post",
        data=lambda w, s: {"officer": "1"},
    ),
    # -- end activities portal --
    # -- activities: check-in, attendance, results (checkin helper) --
    # The world's activities start in ten days: a scan is refused (400, check-in opens two hours before),
    # publishing without ranks and taking back without a reason are refused (400); judges are not a role,
    # so the officers who may see the results page are refused the judges' score form (403).
    "activities:checkin_scan": Entry(allow(ACTIVITY_ORGANISERS), unit_of("activity")),
    "activities:checkin_scan_submit": Entry(
        allow(ACTIVITY_ORGANISERS, 400, 404),
        unit_of("activity"),
        method="post",
        data=lambda w, s: {"token": getattr(w, f"{s}_registration").token},
    ),
    "activities:attendance_sheet": Entry(allow(ACTIVITY_ORGANISERS), unit_of("activity")),
    "activities:attendance_month": Entry(allow(ACTIVITY_VIEWERS), unit_of("activity")),
    "activities:attendance_export": Entry(allow(ACTIVITY_VIEWERS), unit_of("activity")),
    "activities:results": Entry(allow(ACTIVITY_VIEWERS), unit_of("activity")),
    "activities:results_scores": Entry(
        allow(ACTIVITY_VIEWERS, 403, 404),
        unit_of("activity"),
        method="post",
        data=lambda w, s: {f"score-{getattr(w, f'{s}_registration').pk}": "90"},
    ),
    "activities:results_publish": Entry(
        allow(ACTIVITY_ORGANISERS, 400, 404), unit_of("activity"), method="post"
    ),
    "activities:results_withdraw": Entry(
        allow(ACTIVITY_ORGANISERS, 400, 404), unit_of("activity"), method="post"
    ),
    "activities:results_export": Entry(allow(ACTIVITY_VIEWERS), unit_of("activity")),
    "activities:summary": Entry(allow(ACTIVITY_VIEWERS), unit_of("activity")),
    "activities:summary_photo_delete": Entry(
        allow(ACTIVITY_ORGANISERS, 302, 404),
        lambda w, s, u: {"pk": getattr(w, f"{s}_activity").pk, "photo_pk": getattr(w, f"{s}_photo").pk},
        method="post",
    ),
    "activities:photo": Entry(everyone(200), unit_of("photo")),
    # -- end activities checkin --
    # -- proposals: setup, offices, calendar (setup helper) --
    # The congress set-up, the offices and the calendar are school-wide: the same page on both sides.
    "proposals:congress_list": Entry(allow(PROPOSAL_SETUP, 200, 200)),
    "proposals:congress_new": Entry(allow(PROPOSAL_SETUP, 200, 200)),
    "proposals:congress_detail": Entry(allow(PROPOSAL_SETUP, 200, 200), proposals.setup_congress),
    "proposals:congress_edit": Entry(allow(PROPOSAL_SETUP, 200, 200), proposals.setup_congress),
    "proposals:session_new": Entry(allow(PROPOSAL_SETUP, 200, 200), proposals.setup_congress),
    "proposals:session_edit": Entry(allow(PROPOSAL_SETUP, 200, 200), proposals.setup_session),
    "proposals:delegation_new": Entry(allow(PROPOSAL_SETUP, 200, 200), proposals.setup_congress),
    "proposals:delegation_edit": Entry(allow(PROPOSAL_SETUP, 200, 200), proposals.setup_delegation),
    "proposals:representative_add": Entry(allow(PROPOSAL_SETUP, 200, 200), proposals.setup_congress),
    "proposals:representative_edit": Entry(allow(PROPOSAL_SETUP, 200, 200), proposals.setup_representative),
    "proposals:representative_remove": Entry(
        allow(PROPOSAL_SETUP, 302, 302), proposals.setup_representative, method="post"
    ),
    "proposals:representative_import": Entry(allow(PROPOSAL_SETUP, 200, 200), proposals.setup_congress),
    "proposals:representative_export": Entry(allow(PROPOSAL_SETUP, 200, 200), proposals.setup_congress),
    "proposals:committee_add": Entry(allow(PROPOSAL_SETUP, 200, 200), proposals.setup_congress),
    "proposals:committee_remove": Entry(
        allow(PROPOSAL_SETUP, 302, 302), proposals.setup_committee_member, method="post"
    ),
    "proposals:category_list": Entry(allow(PROPOSAL_SETUP, 200, 200)),
    "proposals:category_new": Entry(allow(PROPOSAL_SETUP, 200, 200)),
    "proposals:category_edit": Entry(allow(PROPOSAL_SETUP, 200, 200), proposals.setup_category),
    "organisations:office_list": Entry(allow(OFFICE_MANAGERS, 200, 200)),
    "organisations:office_new": Entry(allow(OFFICE_MANAGERS, 200, 200)),
    "organisations:office_edit": Entry(allow(OFFICE_MANAGERS, 200, 200), proposals.setup_office),
    "organisations:office_staff_add": Entry(
        allow(OFFICE_MANAGERS, 302, 302),
        proposals.setup_office,
        method="post",
        data=proposals.setup_office_staff_data,
    ),
    "organisations:office_staff_remove": Entry(
        allow(OFFICE_MANAGERS, 302, 302), proposals.setup_office_staff, method="post"
    ),
    "core:calendar_list": Entry(allow(CALENDAR_MANAGERS, 200, 200)),
    "core:calendar_add": Entry(allow(CALENDAR_MANAGERS, 200, 200)),
    "core:calendar_remove": Entry(
        allow(CALENDAR_MANAGERS, 302, 302), proposals.setup_calendar_day, method="post"
    ),
    # -- end proposals setup --
    # -- proposals: portal (portal helper) --
    # The workspace, the new-proposal page (an explanation for non-representatives), similar proposals
    # and the board: every logged-in user. A proposal's pages: the requester's own (made a representative
    # and its proposer) 200; another representative's draft 404. POSTs redirect with a message.
    "proposals:portal_home": Entry(everyone(200)),
    "proposals:portal_new": Entry(everyone(200)),
    "proposals:portal_similar": Entry(everyone(200), query="?title=停车位&reasons=东区停车位严重不足"),
    "proposals:portal_board": Entry(everyone(200)),
    "proposals:portal_detail": Entry(everyone(200, 404), proposals.portal_own_proposal("draft")),
    "proposals:portal_edit": Entry(everyone(200, 404), proposals.portal_own_proposal("draft")),
    "proposals:portal_autosave": Entry(
        everyone(302, 404),
        proposals.portal_own_proposal("draft"),
        method="post",
        data=lambda world, side: {"reasons": "自动保存"},
    ),
    "proposals:portal_invite": Entry(everyone(200, 404), proposals.portal_own_proposal("draft")),
    "proposals:portal_cosign": Entry(
        everyone(302, 404),
        proposals.portal_own_invitation,
        method="post",
        data=lambda world, side: {"answer": "accept"},
    ),
    "proposals:portal_attachment_add": Entry(
        everyone(302, 404), proposals.portal_own_proposal("draft"), method="post"
    ),
    "proposals:portal_attachment_remove": Entry(
        everyone(302, 404), proposals.portal_own_attachment, method="post"
    ),
    "proposals:portal_attachment": Entry(everyone(200, 404), proposals.portal_own_attachment),
    "proposals:portal_submit": Entry(
        everyone(302, 404), proposals.portal_own_proposal("draft"), method="post"
    ),
    "proposals:portal_withdraw": Entry(
        everyone(302, 404),
        proposals.portal_own_proposal("submitted"),
        method="post",
        data=lambda world, side: {"reason": "已通过其他渠道解决"},
    ),
    # -- end proposals portal --
    # -- proposals: committee, offices, leaders (handling helper) --
    # Console pages are school-wide (both sides 200 for the permission's holders); office pages answer 404
    # for another office's proposal, leader pages for a proposal of an office the leader does not supervise.
    "proposals:console_list": Entry(allow(PROPOSAL_VIEWERS, 200, 200), query="?tab=review"),
    "proposals:console_detail": Entry(
        allow(PROPOSAL_VIEWERS, 200, 200), proposals.console_proposal(proposals.Status.SUBMITTED)
    ),
    "proposals:console_accept": Entry(
        allow(PROPOSAL_COMMITTEE, 302, 302),
        proposals.console_proposal(proposals.Status.SUBMITTED),
        method="post",
    ),
    "proposals:console_merge": Entry(
        allow(PROPOSAL_COMMITTEE, 302, 302),
        proposals.console_proposal(proposals.Status.SUBMITTED),
        method="post",
        data=lambda w, s: {"target": getattr(w, f"{s}_proposal_accepted").pk},
    ),
    "proposals:console_convert": Entry(
        allow(PROPOSAL_COMMITTEE, 302, 302),
        proposals.console_proposal(proposals.Status.SUBMITTED),
        method="post",
    ),
    "proposals:console_reject": Entry(
        allow(PROPOSAL_COMMITTEE, 302, 302),
        proposals.console_proposal(proposals.Status.SUBMITTED),
        method="post",
        data=lambda w, s: {"reason": "不属于学校职权范围"},
    ),
    "proposals:console_assign": Entry(
        allow(PROPOSAL_COMMITTEE, 200, 200), proposals.console_proposal(proposals.Status.ACCEPTED)
    ),
    "proposals:console_visibility": Entry(
        allow(PROPOSAL_COMMITTEE, 302, 302),
        proposals.console_proposal(proposals.Status.ASSIGNED),
        method="post",
        data=lambda w, s: {"visibility": "private"},
    ),
    # Attachments: console viewers on both sides; an office only for its own proposal.
    "proposals:console_attachment": Entry(
        {**allow(PROPOSAL_VIEWERS | PROPOSAL_OFFICES, 200, 200), "handling_office": (200, 404)},
        proposals.console_attachment(proposals.Status.ASSIGNED),
    ),
    "proposals:office_list": Entry(allow(PROPOSAL_OFFICES, 200, 200), query="?tab=all"),
    "proposals:office_detail": Entry(
        allow(PROPOSAL_OFFICES, 200, 404), proposals.office_proposal(proposals.Status.ASSIGNED)
    ),
    "proposals:office_return": Entry(
        allow(PROPOSAL_OFFICES, 302, 404),
        proposals.office_proposal(proposals.Status.ASSIGNED),
        method="post",
        data=lambda w, s: {"reason": "不属本部门职责"},
    ),
    "proposals:office_input": Entry(
        allow(PROPOSAL_OFFICES, 302, 404),
        proposals.office_assist_proposal(proposals.Status.ASSIGNED),
        method="post",
        data=lambda w, s: {"text": "协办意见"},
    ),
    "proposals:office_reply": Entry(
        allow(PROPOSAL_OFFICES, 200, 404), proposals.office_proposal(proposals.Status.ASSIGNED)
    ),
    "proposals:leader_list": Entry(allow(PROPOSAL_LEADERS, 200, 200), query="?tab=all"),
    "proposals:leader_detail": Entry(
        allow(PROPOSAL_LEADERS, 200, 404), proposals.leader_proposal(proposals.Status.REPLY_SIGNOFF)
    ),
    "proposals:leader_instruct": Entry(
        allow(PROPOSAL_LEADERS, 302, 404),
        proposals.leader_proposal(proposals.Status.ASSIGNED),
        method="post",
        data=lambda w, s: {"text": "请抓紧办理"},
    ),
    "proposals:leader_signoff": Entry(
        allow(PROPOSAL_LEADERS, 302, 404),
        proposals.leader_proposal(proposals.Status.REPLY_SIGNOFF),
        method="post",
        data=lambda w, s: {"decision": "approve"},
    ),
    # -- end proposals handling --
    # -- proposals: evaluation, supervision, follow-up, statistics (evaluation helper) --
    # Rating: the requester's own replied proposal (made its proposer) 200; another's 404 even when it is
    # on the public board. Committee pages are school-wide; an office's follow-up page 404 for a proposal of
    # another office. POSTs by the permission's holders redirect with a message.
    "proposals:portal_evaluate": Entry(
        everyone(200, 404), proposals.portal_own_proposal(proposals.Status.REPLIED)
    ),
    "proposals:console_unsatisfied": Entry(
        allow(PROPOSAL_COMMITTEE, 200, 200), proposals.console_proposal(proposals.Status.UNSATISFIED)
    ),
    "proposals:console_close": Entry(
        allow(PROPOSAL_COMMITTEE, 302, 302),
        proposals.console_proposal(proposals.Status.REPLIED),
        method="post",
        data=lambda world, side: {"note": "纸质测评表已收回"},
    ),
    "proposals:supervision_board": Entry(allow(PROPOSAL_SUPERVISORS, 200, 200)),
    "proposals:console_supervise": Entry(
        allow(PROPOSAL_SUPERVISORS, 302, 302),
        proposals.console_proposal(proposals.Status.ASSIGNED),
        method="post",
        data=lambda world, side: {"text": "请加快办理", "notify_office": "on"},
    ),
    # A new deadline (督办); releasing a reply whose sign-off nobody can give (the world's offices have no
    # supervising leader).
    "proposals:console_deadline": Entry(
        allow(PROPOSAL_SUPERVISORS, 302, 302),
        proposals.console_proposal(proposals.Status.ASSIGNED),
        method="post",
        data=proposals.evaluation_deadline_data,
    ),
    "proposals:console_release_reply": Entry(
        allow(PROPOSAL_COMMITTEE, 302, 302),
        proposals.console_proposal(proposals.Status.REPLY_SIGNOFF),
        method="post",
    ),
    "proposals:followup_list": Entry(allow(PROPOSAL_SUPERVISORS, 200, 200)),
    "proposals:followup_toggle": Entry(
        allow(PROPOSAL_SUPERVISORS, 302, 302), proposals.evaluation_session, method="post"
    ),
    "proposals:followup_decide": Entry(
        allow(PROPOSAL_SUPERVISORS, 302, 302),
        proposals.evaluation_followup,
        method="post",
        data=lambda world, side: {"decision": "confirm"},
    ),
    "proposals:office_followup_list": Entry(allow(PROPOSAL_OFFICES, 200, 200)),
    "proposals:office_followup": Entry(
        allow(PROPOSAL_OFFICES, 200, 404), proposals.office_proposal(proposals.Status.CLOSED)
    ),
    "proposals:stats": Entry(allow(PROPOSAL_STATS, 200, 200)),
    "proposals:report_docx": Entry(allow(PROPOSAL_STATS, 200, 200), proposals.evaluation_session),
    # -- end proposals evaluation --
    # -- appeals: portal (portal helper) --
    # Every logged-in user: 我的诉求 and the new-appeal page (a "no staff record" page without one), the
    # router's suggestion while typing and the 常见问题 (school-wide: both sides 200). One appeal's pages:
    # the requester's own 200 (POSTs redirect), another member's 404.
    "appeals:portal_list": Entry(everyone(200), appeals.portal_member),
    "appeals:portal_new": Entry(everyone(200), appeals.portal_member),
    "appeals:portal_suggest": Entry(
        everyone(200),
        method="post",
        data=lambda world, side: {"title": "食堂早餐", "body": "早餐窗口开得太晚了"},
    ),
    "appeals:faq_list": Entry(everyone(200)),
    "appeals:faq_detail": Entry(everyone(200, 200), appeals.published_faq),
    "appeals:portal_detail": Entry(everyone(200, 404), appeals.portal_own_appeal(appeals.Status.REPLIED)),
    "appeals:portal_rate": Entry(
        everyone(302, 404),
        appeals.portal_own_appeal(appeals.Status.REPLIED),
        method="post",
        data=lambda world, side: {"score": "satisfied"},
    ),
    "appeals:portal_withdraw": Entry(
        everyone(302, 404), appeals.portal_own_appeal(appeals.Status.TRIAGE), method="post"
    ),
    "appeals:portal_attachment": Entry(everyone(200, 404), appeals.portal_own_attachment),
    # -- end appeals portal --
    # -- appeals: triage, union office lists, categories, reveal, FAQ publishing (triage helper) --
    "appeals:console_list": Entry(allow(APPEAL_VIEWERS, 200, 200)),
    "appeals:console_export": Entry(allow(APPEAL_VIEWERS, 200, 200), query="?tab=all"),
    "appeals:console_by_office": Entry(allow(APPEAL_VIEWERS, 200, 200)),
    "appeals:console_detail": Entry(
        allow(APPEAL_VIEWERS, 200, 200), appeals.any_appeal(appeals.Status.TRIAGE)
    ),
    "appeals:console_route": Entry(
        allow(APPEAL_TRIAGERS, 302, 302),
        appeals.any_appeal(appeals.Status.TRIAGE),
        method="post",
        data=appeals.route_data,
    ),
    # The identity shows on the response itself (200), never through a redirect.
    "appeals:console_reveal": Entry(
        allow(APPEAL_REVEALERS, 200, 200),
        appeals.any_appeal(appeals.Status.TRIAGE),
        method="post",
        data=appeals.reveal_data,
    ),
    "appeals:console_publish": Entry(
        allow(APPEAL_TRIAGERS, 302, 302),
        appeals.any_appeal(appeals.Status.CLOSED),
        method="post",
        data=appeals.publish_data,
    ),
    "appeals:console_unpublish": Entry(
        allow(APPEAL_TRIAGERS, 302, 302), appeals.published_appeal, method="post"
    ),
    "appeals:console_attachment": Entry(allow(APPEAL_VIEWERS, 200, 200), appeals.appeal_attachment),
    "appeals:category_list": Entry(allow(APPEAL_MANAGERS, 200, 200)),
    "appeals:category_new": Entry(allow(APPEAL_MANAGERS, 200, 200)),
    "appeals:category_edit": Entry(allow(APPEAL_MANAGERS, 200, 200), appeals.appeal_category),
    "appeals:settings_edit": Entry(allow(APPEAL_MANAGERS, 200, 200)),
    # -- end appeals triage --
    # -- appeals: office console (office helper) --
    # "own": an appeal routed to an office the requesting user is made staff of; "other": another office's.
    "appeals:office_list": Entry(allow(APPEAL_OFFICES, 200, 200), query="?tab=all"),
    "appeals:office_export": Entry(allow(APPEAL_OFFICES, 200, 200), query="?tab=all"),
    "appeals:office_detail": Entry(
        allow(APPEAL_OFFICES, 200, 404), appeals.office_appeal(appeals.Status.IN_PROGRESS)
    ),
    "appeals:office_acknowledge": Entry(
        allow(APPEAL_OFFICES, 302, 404), appeals.office_appeal(appeals.Status.ROUTED), method="post"
    ),
    "appeals:office_reply": Entry(
        allow(APPEAL_OFFICES, 302, 404),
        appeals.office_appeal(appeals.Status.IN_PROGRESS),
        method="post",
        data=lambda w, s: {"text": "已安排食堂提前开放早餐窗口。"},
    ),
    "appeals:office_pass_back": Entry(
        allow(APPEAL_OFFICES, 302, 404),
        appeals.office_appeal(appeals.Status.IN_PROGRESS),
        method="post",
        data=lambda w, s: {"reason": "不属本部门职责"},
    ),
    "appeals:office_attachment": Entry(
        allow(APPEAL_OFFICES, 200, 404), appeals.office_attachment(appeals.Status.IN_PROGRESS)
    ),
    # -- end appeals office --
    # -- appeals: trends and similar cases (insight helper) --
    # School-wide figures for the union office (similar cases have no page of their own: the triage and
    # office detail pages show them).
    "appeals:trends": Entry(allow(APPEAL_VIEWERS, 200, 200)),
    "appeals:trends_export": Entry(allow(APPEAL_VIEWERS, 200, 200)),
    # -- end appeals insight --
    # -- ai: router models (router helper) --
    # School-wide pages: holders of ai.models.manage get 200 on both sides; "retrain now" only queues a
    # task after commit (302 on both sides for holders).
    "ai:model_list": Entry(allow(AI_MODEL_MANAGERS, 200, 200)),
    "ai:model_detail": Entry(allow(AI_MODEL_MANAGERS, 200, 200), matrix_ai.router_model),
    "ai:model_retrain": Entry(allow(AI_MODEL_MANAGERS, 302, 302), matrix_ai.registered_router, method="post"),
    # -- end ai models --
    # -- ai: recommendations (recommendations helper) --
    # Aggregated take-up figures of the whole school (no member named): 200 on both sides for the holders.
    "ai:recommendations_stats": Entry(allow(AI_RECOMMENDATION_VIEWERS, 200, 200)),
    "ai:recommendations_export": Entry(allow(AI_RECOMMENDATION_VIEWERS, 200, 200)),
    # -- end ai recommendations --
}

# Not ours to tabulate: Django's admin has its own login and staff check (see test_admin_requires_staff).
EXEMPT_PREFIXES = ("admin:",)


def _url_names(patterns: list[Any], namespace: str = "") -> set[str]:
    names: set[str] = set()
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = (
                f"{namespace}:{pattern.namespace}"
                if namespace and pattern.namespace
                else pattern.namespace or namespace
            )
            names |= _url_names(pattern.url_patterns, inner or "")
        elif isinstance(pattern, URLPattern):
            name = pattern.name or f"<unnamed {pattern.pattern}>"
            names.add(f"{namespace}:{name}" if namespace else name)
    return names


def test_every_url_is_in_the_matrix() -> None:
    names = {name for name in _url_names(get_resolver().url_patterns) if not name.startswith(EXEMPT_PREFIXES)}
    missing = sorted(names - set(MATRIX))
    stale = sorted(set(MATRIX) - names)
    assert not missing, f"URLs without a row in the permission matrix: {missing}"
    assert not stale, f"Matrix rows for URLs that no longer exist: {stale}"


@pytest.fixture
def world(tree: SimpleNamespace, make_user: Any) -> SimpleNamespace:
    """Objects of every kind in unit A ("own") and unit B ("other"), and one user per role at A."""
    category = StaffCategory.objects.get(name="在编")
    position = PositionKind.objects.get(name="组长")
    member_role = Role.objects.get(code="member")
    world = SimpleNamespace(tree=tree)
    world.stranger = make_user(name="局外人")
    for side, unit, group in (("own", tree.a, tree.a1), ("other", tree.b, tree.b1)):
        setattr(world, f"{side}_unit", group)
        setattr(
            world, f"{side}_alias", org_services.alias_add(actor=None, unit=group, alias=f"{group.pk}号小组")
        )
        officer = make_user(name=f"{side}组长")
        setattr(
            world,
            f"{side}_term",
            org_services.officer_appoint(
                actor=None, unit=group, user=officer, position=position, start_date=timezone.localdate()
            ),
        )
        holder = make_user(name=f"{side}会员")
        setattr(
            world,
            f"{side}_assignment",
            account_services.role_assign(actor=None, user=holder, role=member_role, unit=group),
        )
        person_user = make_user(name=f"{side}教工")
        person = member_services.person_create(
            actor=None,
            staff_no=person_user.staff_no,
            name=person_user.name,
            sex="F",
            category=category,
            unit=unit,
            id_number="11010519491231002X" if side == "own" else "110105194912310021",
            user=person_user,
        )
        setattr(world, f"{side}_person", person)
        setattr(world, f"{side}_person_user", person_user)
        # -- members: joining, card, family, corrections (world objects) --
        joining.build(world, side, unit, make_user)
        # -- members: dues and KPIs (world objects) --
        dues.build(world, side, unit)
        # -- finance (world objects) --
        finance.build(world, side, unit, make_user)
        welfare_care.build(world, side, unit, make_user)
        welfare_programmes.build(world, side, unit, make_user)
        vouchers.build(world, side, unit, make_user)
        hardship.build(world, side, unit, make_user)
        activities.build(world, side, unit, make_user)
        proposals.build(world, side, unit, make_user)
        appeals.build(world, side, unit, make_user)
        matrix_ai.build(world, side, unit, make_user)
        # -- members: roster, membership lifecycle (world objects) --
        recorder = make_user("union_staff", unit, name=f"{side}记录人")
        joiner = member_services.person_create(
            actor=None, staff_no=f"{side}-joiner", name=f"{side}转入", sex="M", category=category, unit=unit
        )
        setattr(
            world,
            f"{side}_transfer",
            member_services.membership.membership_transfer_in(
                actor=recorder,
                membership=joiner.membership,
                counterpart="某公司工会",
                letter_no=f"JS-{side}",
                original_joined_on=None,
            ),
        )
        proposal = member_services.membership.lapse_propose(
            membership=joiner.membership, last_dues_month=None, on=timezone.localdate()
        )
        setattr(world, f"{side}_lapse", proposal)
        newcomer = member_services.person_create(
            actor=None, staff_no=f"{side}-new", name=f"{side}新人", sex="F", category=category, unit=unit
        )
        setattr(
            world,
            f"{side}_ceremony",
            member_services.membership.ceremony_enrol(
                actor=recorder,
                unit=unit,
                title="入职入会仪式",
                held_on=timezone.localdate(),
                approval_ref="校工会第3次会议",
                people=[newcomer],
            ),
        )
    world.users = {role: make_user(role, tree.a, name=f"{role}用户") for role in ROLES}
    world.users[ANON] = None
    return world


def _snapshot() -> str:
    """Every row of every table (but sessions and login attempts, which a request may touch)."""
    rows = []
    for model in apps.get_models():
        if model in (Session, LoginAttempt):
            continue
        rows.append(serializers.serialize("json", model._base_manager.order_by("pk")))
    return json.dumps(rows)


class _Rollback(Exception):
    pass


@pytest.mark.parametrize("url_name", sorted(MATRIX))
def test_permission_matrix(url_name: str, world: SimpleNamespace) -> None:
    entry = MATRIX[url_name]
    failures = []
    for role in [*ROLES, ANON]:
        user = world.users[role]
        for index, side in enumerate(("own", "other")):
            expected = entry.expect[role][index]
            try:
                with transaction.atomic():
                    client = Client()
                    if user is not None:
                        client.force_login(user)
                    kwargs = entry.kwargs(world, side, user) if entry.kwargs else {}
                    url = reverse(url_name, kwargs=kwargs) + entry.query
                    data = entry.data(world, side) if entry.data else {}
                    before = _snapshot() if entry.method == "post" and expected in (403, 404) else None
                    response = getattr(client, entry.method)(url, data)
                    if response.status_code != expected:
                        failures.append(
                            f"{role}/{side}: {entry.method.upper()} {url} → {response.status_code}, expected {expected}"
                        )
                    elif before is not None and _snapshot() != before:
                        failures.append(f"{role}/{side}: denied POST {url} changed data")
                    raise _Rollback
            except _Rollback:
                pass
    assert not failures, "\n".join(failures)


def test_denied_get_forms_refuse_posts_too(world: SimpleNamespace) -> None:
    """Pages whose GET is denied also refuse a forged POST without changing anything."""
    forged = {
        "organisations:unit_edit": {"name": "篡改", "code": "HACK", "union_type": "group"},
        "organisations:unit_move": {"new_parent": world.tree.b.pk},
        "organisations:unit_merge": {"target": world.tree.b1.pk, "confirm": "on"},
        "organisations:officer_add": {
            "staff_no": world.stranger.staff_no,
            "position": 1,
            "start_date": "2026-01-01",
        },
        "organisations:officer_end": {"end_date": "2026-12-31"},
    }
    attrs = {"organisations:officer_end": "term"}
    for url_name, data in forged.items():
        for role in ROLES:
            for index, side in enumerate(("own", "other")):
                expected = MATRIX[url_name].expect[role][index]
                if expected not in (403, 404):
                    continue
                client = Client()
                client.force_login(world.users[role])
                target = getattr(world, f"{side}_{attrs.get(url_name, 'unit')}")
                before = _snapshot()
                response = client.post(reverse(url_name, kwargs={"pk": target.pk}), data)
                assert response.status_code == expected, (url_name, role, side, response.status_code)
                assert _snapshot() == before, (url_name, role, side)


def test_denied_members_forms_refuse_forged_posts(world: SimpleNamespace) -> None:
    """The members pages that show a form on GET and act on POST: where the GET is denied (403/404), a
    forged POST answers the same and changes nothing."""
    today = timezone.localdate().isoformat()
    forged: dict[str, dict[str, Any]] = {
        "members:membership_action": {"reason": "long_absence", "on": today},
        "members:person_left": {"on": today},
        "members:lapse_decide": {"decision": "confirm", "note": "伪造"},
        "members:correction_detail": {"decision": "done", "response": "伪造"},
        "members:dues_rule_new": {"effective_from": "2027-01-01", "rate": "5", "base_items": ["post_salary"]},
        "members:my_family_edit": {
            "relation": "child",
            "name": "伪造",
            "sex": "M",
            "birth_date": "2020-01-01",
        },
    }
    for url_name, data in forged.items():
        entry = MATRIX[url_name]
        for role in ROLES:
            for index, side in enumerate(("own", "other")):
                expected = entry.expect[role][index]
                if expected not in (403, 404):
                    continue
                with transaction.atomic():
                    client = Client()
                    client.force_login(world.users[role])
                    kwargs = entry.kwargs(world, side, world.users[role]) if entry.kwargs else {}
                    before = _snapshot()
                    response = client.post(reverse(url_name, kwargs=kwargs), data)
                    assert response.status_code == expected, (url_name, role, side, response.status_code)
                    assert _snapshot() == before, (url_name, role, side)
                    transaction.set_rollback(True)


def test_admin_requires_staff(world: SimpleNamespace) -> None:
    client = Client()
    client.force_login(world.users["union_chair"])
    response = client.get("/admin/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
