"""Officer pages of the membership lifecycle: the actions on a member's page, bulk actions on the roster,
待入会 and joining ceremonies, retirees to retain, lapse proposals and the 转会证明."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from smartunion.core.forms_support import apply_validation_error
from smartunion.core.http import AuthenticatedRequest
from smartunion.core.masking import mask_day
from smartunion.core.permissions import require_perm
from smartunion.core.tables import Column, Table, render_table
from smartunion.organisations import selectors as org_selectors

from .. import selectors, services
from ..forms.membership import ActionForm as PlainActionForm
from ..forms.membership import (
    BulkForm,
    CeremonyForm,
    ExpelForm,
    LapseDecisionForm,
    LeftForm,
    MoveForm,
    RetainForm,
    TransferInForm,
    TransferOutForm,
    parse_ids,
)
from ..models import Membership

ms = services.membership


def _person_url(person: Any) -> str:
    return reverse("members:person_detail", args=[person.pk])


# -- actions on one member ----------------------------------------------------------------------------

ACTIONS: dict[str, tuple[Any, str, Any]] = {
    # action: (form class, permission, title)
    "retain": (RetainForm, "members.membership.manage", gettext_lazy("Retain membership")),
    "resume": (PlainActionForm, "members.membership.manage", gettext_lazy("Resume membership")),
    "withdraw": (PlainActionForm, "members.membership.manage", gettext_lazy("Withdraw from the union")),
    "expel": (ExpelForm, "members.membership.expel", gettext_lazy("Expel from the union")),
    "transfer_out": (TransferOutForm, "members.membership.manage", gettext_lazy("Transfer out")),
    "transfer_in": (TransferInForm, "members.membership.manage", gettext_lazy("Transfer in")),
    "move": (MoveForm, "members.membership.manage", gettext_lazy("Move to another unit")),
}


def _apply_action(action: str, *, actor: Any, membership: Membership, data: dict[str, Any]) -> Any:
    common = {"actor": actor, "membership": membership, "on": data["on"], "note": data["note"]}
    if action == "retain":
        return ms.membership_retain(reason=data["reason"], **common)
    if action == "resume":
        return ms.membership_resume(**common)
    if action == "withdraw":
        return ms.membership_withdraw(**common)
    if action == "expel":
        return ms.membership_expel(decision=data["decision"], **common)
    if action == "transfer_out":
        return ms.membership_transfer_out(counterpart=data["counterpart"], **common)
    if action == "transfer_in":
        return ms.membership_transfer_in(
            counterpart=data["counterpart"],
            letter_no=data["letter_no"],
            original_joined_on=data["original_joined_on"],
            **common,
        )
    if action == "move":
        return ms.membership_move(unit=data["unit"], **common)
    raise Http404


@require_perm("members.view")
def membership_action(request: AuthenticatedRequest, pk: int, action: str) -> HttpResponse:
    if action not in ACTIONS:
        raise Http404
    form_class, permission, title = ACTIONS[action]
    person = selectors.person_get_for_user(user=request.user, pk=pk)
    membership = person.membership
    if not request.user.has_unit_perm(permission, membership.unit):
        raise PermissionDenied
    kwargs: dict[str, Any] = {}
    if form_class is MoveForm:
        kwargs["units"] = org_selectors.unit_choices_for_user(
            user=request.user, perm="members.membership.manage"
        ).exclude(pk=membership.unit_id)
    form = form_class(request.POST or None, **kwargs)
    if request.method == "POST" and form.is_valid():
        try:
            result = _apply_action(action, actor=request.user, membership=membership, data=form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(
                request, _("%(title)s: recorded for %(person)s.") % {"title": title, "person": person.name}
            )
            if action == "transfer_out":
                return redirect("members:transfer_certificate", pk=result.pk)
            return redirect("members:person_detail", pk=person.pk)
    return render(
        request,
        "members/membership_action.html",
        {
            "person": person,
            "membership": membership,
            "form": form,
            "action": action,
            "title": title,
            "breadcrumbs": [
                (_("Member roster"), reverse("members:person_list")),
                (person.name, _person_url(person)),
                (str(title), ""),
            ],
        },
    )


@require_perm("members.edit")
def person_left(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Record that someone (typically absent from the HR roster) has left the school."""
    person = selectors.person_get_for_user(user=request.user, pk=pk)
    if not request.user.has_unit_perm("members.edit", person.unit):
        raise PermissionDenied
    form = LeftForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.person_mark_left(
                actor=request.user,
                person=person,
                left_on=form.cleaned_data["on"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(
                request, _("%(person)s is recorded as having left the school.") % {"person": person.name}
            )
            return redirect("members:person_detail", pk=person.pk)
    return render(
        request,
        "members/membership_action.html",
        {
            "person": person,
            "membership": person.membership,
            "form": form,
            "action": "left",
            "title": _("Left the school"),
            "breadcrumbs": [
                (_("Member roster"), reverse("members:person_list")),
                (person.name, _person_url(person)),
                (_("Left the school"), ""),
            ],
        },
    )


@require_perm("members.view")
def transfer_certificate(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """转会证明 (out) or the record of the 介绍信 (in), laid out for printing."""
    transfer = selectors.membership.transfer_get_for_user(user=request.user, pk=pk)
    return render(
        request,
        "members/transfer_certificate.html",
        {
            "transfer": transfer,
            "person": transfer.membership.person,
            "school": org_selectors.school_name(),
            "breadcrumbs": [
                (_("Member roster"), reverse("members:person_list")),
                (transfer.membership.person.name, _person_url(transfer.membership.person)),
                (transfer.get_direction_display(), ""),
            ],
        },
    )


# -- bulk actions -------------------------------------------------------------------------------------


def _bulk_call(action: str, *, actor: Any, membership: Membership, on: dt.date) -> Any:
    if action == "retain_retired":
        return ms.membership_retain(actor=actor, membership=membership, reason="retired", on=on)
    if action == "retain_absence":
        return ms.membership_retain(actor=actor, membership=membership, reason="long_absence", on=on)
    return ms.membership_resume(actor=actor, membership=membership, on=on)


@require_perm("members.membership.manage")
@require_POST
def roster_bulk(request: AuthenticatedRequest) -> HttpResponse:
    """Ticked rows + an action → a confirmation page listing the people → applied all or nothing."""
    form = BulkForm(request.POST)
    back = request.POST.get("next") or ""
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = reverse("members:person_list")
    if not form.is_valid():
        for error in [*form.errors.get("__all__", []), *form.errors.get("on", [])]:
            messages.error(request, str(error))
        return redirect(back)
    people = selectors.membership.people_by_ids_for_user(user=request.user, ids=form.selected)
    if not people:
        raise Http404
    action = form.cleaned_data["action"]
    label = dict(form.fields["action"].choices)[action]  # type: ignore[attr-defined]
    if request.POST.get("confirm") == "1":
        try:
            with transaction.atomic():  # all or nothing: one refusal names the person and changes nobody
                for person in people:
                    _bulk_call(
                        action, actor=request.user, membership=person.membership, on=form.cleaned_data["on"]
                    )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request, _("%(action)s: done for %(count)d people.") % {"action": label, "count": len(people)}
            )
        return redirect(back)
    return render(
        request,
        "members/bulk_confirm.html",
        {
            "people": people,
            "form": form,
            "action": action,
            "label": label,
            "next": back,
            "breadcrumbs": [(_("Member roster"), reverse("members:person_list")), (str(label), "")],
        },
    )


# -- 待入会 and joining ceremonies ------------------------------------------------------------------------


class PendingTable(Table):
    columns = [
        Column("staff_no", gettext_lazy("Staff number"), sort="staff_no", link=_person_url, width=12),
        Column("name", gettext_lazy("Name"), sort="name", width=10),
        Column("unit", gettext_lazy("Unit"), value="unit.name", sort="unit__path", width=24),
        Column("category", gettext_lazy("Staff category"), value="category.name", width=10),
        Column("hire_date", gettext_lazy("Hire date"), sort="hire_date", width=12),
        Column("status", gettext_lazy("Membership"), value="membership.get_status_display", width=10),
    ]
    default_sort = "-hire_date"
    export_name = gettext_lazy("Staff yet to join")
    selectable = True


@require_perm("members.view")
def pending_list(request: AuthenticatedRequest) -> HttpResponseBase:
    """待入会: new staff not yet members; an officer ticks those who joined at a ceremony."""
    since_text = request.GET.get("since", "")
    since = None
    if since_text:
        try:
            since = dt.date.fromisoformat(since_text)
        except ValueError:
            messages.error(request, _("“%(value)s” is not a date.") % {"value": since_text})
    people = selectors.membership.pending_joiners_for_user(user=request.user, hired_since=since)
    return render_table(
        request,
        PendingTable(request, people),
        "members/pending_list.html",
        {
            "since": since,
            "can_enrol": request.user.has_unit_perm("members.membership.manage"),
            "breadcrumbs": [(_("Member roster"), reverse("members:person_list")), (_("Yet to join"), "")],
            "empty_title": _("Everyone has joined"),
            "empty_hint": _("New hires appear here after each HR roster import until they join."),
        },
        export_title=_("Staff yet to join"),
    )


@require_perm("members.membership.manage")
@require_POST
def ceremony_new(request: AuthenticatedRequest) -> HttpResponse:
    """Record an 入职入会仪式 for the ticked new staff (confirmation page first)."""
    ids = parse_ids(request.POST.getlist("ids"))
    if not ids:
        messages.error(request, _("Tick the new staff who joined at the ceremony."))
        return redirect("members:pending_list")
    people = selectors.membership.people_by_ids_for_user(user=request.user, ids=ids)
    if not people:
        raise Http404
    units = {person.unit for person in people}
    unit = min(units, key=lambda u: u.depth) if len(units) == 1 else _common_unit(units)
    form = CeremonyForm(request.POST if request.POST.get("confirm") == "1" else None)
    if form.is_bound and form.is_valid():
        try:
            ceremony = ms.ceremony_enrol(actor=request.user, unit=unit, people=people, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(
                request,
                _("%(count)d new members joined at “%(title)s”.")
                % {"count": len(people), "title": ceremony.title},
            )
            return redirect("members:ceremony_detail", pk=ceremony.pk)
    return render(
        request,
        "members/ceremony_new.html",
        {
            "form": form,
            "people": people,
            "unit": unit,
            "breadcrumbs": [(_("Yet to join"), reverse("members:pending_list")), (_("Joining ceremony"), "")],
        },
    )


def _common_unit(units: set[Any]) -> Any:
    """The deepest unit whose subtree holds all ``units`` (their common ancestor)."""
    paths = [unit.path.split("/")[:-1] for unit in units]
    common: list[str] = []
    for parts in zip(*paths, strict=False):
        if len(set(parts)) != 1:
            break
        common.append(parts[0])
    return org_selectors.unit_by_path("/".join(common) + "/")


class CeremonyTable(Table):
    columns = [
        Column(
            "held_on",
            gettext_lazy("Held on"),
            sort="held_on",
            link=lambda c: reverse("members:ceremony_detail", args=[c.pk]),
            width=12,
        ),
        Column("title", gettext_lazy("Ceremony"), width=24),
        Column("unit", gettext_lazy("Unit"), value="unit.name", sort="unit__path", width=24),
        Column("people_count", gettext_lazy("New members"), sort="people_count", width=10),
        Column("approval_ref", gettext_lazy("School union approval"), width=24),
    ]
    default_sort = "-held_on"
    export_name = gettext_lazy("Joining ceremonies")


@require_perm("members.view")
def ceremony_list(request: AuthenticatedRequest) -> HttpResponseBase:
    return render_table(
        request,
        CeremonyTable(request, selectors.membership.ceremonies_for_user(user=request.user)),
        "members/ceremony_list.html",
        {
            "breadcrumbs": [
                (_("Member roster"), reverse("members:person_list")),
                (_("Joining ceremonies"), ""),
            ],
            "empty_title": _("No joining ceremonies recorded"),
            "empty_hint": _("Record one from the list of staff yet to join."),
        },
        export_title=_("Joining ceremonies"),
    )


@require_perm("members.view")
def ceremony_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    ceremony = selectors.membership.ceremony_get_for_user(user=request.user, pk=pk)
    return render(
        request,
        "members/ceremony_detail.html",
        {
            "ceremony": ceremony,
            "people": selectors.membership.ceremony_people(ceremony),
            "breadcrumbs": [
                (_("Joining ceremonies"), reverse("members:ceremony_list")),
                (ceremony.title, ""),
            ],
        },
    )


# -- retirees to retain, lapse proposals ----------------------------------------------------------------


class RetireeTable(Table):
    columns = [
        Column("staff_no", gettext_lazy("Staff number"), sort="staff_no", link=_person_url, width=12),
        Column("name", gettext_lazy("Name"), sort="name", width=10),
        Column("unit", gettext_lazy("Unit"), value="unit.name", sort="unit__path", width=24),
        Column("category", gettext_lazy("Staff category"), value="category.name", width=10),
        Column(
            "birth_date",
            gettext_lazy("Birth date"),
            sort="birth_date",
            mask=mask_day,
            reveal_perm="members.sensitive.view",
        ),
        Column("status", gettext_lazy("Membership"), value="membership.get_status_display", width=10),
    ]
    default_sort = "staff_no"
    export_name = gettext_lazy("Retirees to retain")
    selectable = True


@require_perm("members.view")
def retiree_list(request: AuthenticatedRequest) -> HttpResponseBase:
    """Members whose HR category became 退休 while their membership is still in service: 保留会籍 is
    proposed; an officer confirms it (bulk)."""
    return render_table(
        request,
        RetireeTable(request, selectors.membership.retirees_to_retain_for_user(user=request.user)),
        "members/retiree_list.html",
        {
            "can_bulk": request.user.has_unit_perm("members.membership.manage"),
            "breadcrumbs": [
                (_("Member roster"), reverse("members:person_list")),
                (_("Retirees to retain"), ""),
            ],
            "empty_title": _("No retirees waiting"),
            "empty_hint": _(
                "When the HR roster marks a member as retired, they appear here to retain their membership."
            ),
        },
        export_title=_("Retirees to retain"),
    )


def _lapse_person_url(proposal: Any) -> str:
    return reverse("members:lapse_decide", args=[proposal.pk])


class LapseTable(Table):
    columns = [
        Column(
            "staff_no",
            gettext_lazy("Staff number"),
            value="membership.person.staff_no",
            link=_lapse_person_url,
            width=12,
        ),
        Column("name", gettext_lazy("Name"), value="membership.person.name", width=10),
        Column(
            "unit",
            gettext_lazy("Unit"),
            value="membership.unit.name",
            sort="membership__unit__path",
            width=24,
        ),
        Column("proposed_on", gettext_lazy("Proposed on"), sort="proposed_on", width=12),
        Column(
            "last_dues_month",
            gettext_lazy("Last dues paid for"),
            value=lambda p: p.last_dues_month and p.last_dues_month.strftime("%Y-%m"),
            width=12,
        ),
        Column("status", gettext_lazy("Status"), value="get_status_display", width=12),
    ]
    default_sort = "-proposed_on"
    export_name = gettext_lazy("Lapse proposals")
    unit_path = "membership.unit.path"


@require_perm("members.view")
def lapse_list(request: AuthenticatedRequest) -> HttpResponseBase:
    status = request.GET.get("status", "open")
    if status not in {"open", "confirmed", "dismissed", ""}:
        status = "open"
    return render_table(
        request,
        LapseTable(request, selectors.membership.lapse_proposals_for_user(user=request.user, status=status)),
        "members/lapse_list.html",
        {
            "status": status,
            "breadcrumbs": [(_("Member roster"), reverse("members:person_list")), (_("Lapse proposals"), "")],
            "empty_title": _("No proposals"),
            "empty_hint": _(
                "The system proposes members who paid no dues and took part in nothing for six months; a person decides."
            ),
        },
        export_title=_("Lapse proposals"),
    )


@require_perm("members.view")
def lapse_decide(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    proposal = selectors.membership.lapse_proposal_get_for_user(user=request.user, pk=pk)
    membership = proposal.membership
    can_decide = proposal.status == "open" and request.user.has_unit_perm(
        "members.membership.manage", membership.unit
    )
    form = LapseDecisionForm(request.POST or None)
    if request.method == "POST":
        if not request.user.has_unit_perm("members.membership.manage", membership.unit):
            raise PermissionDenied
        if form.is_valid():
            try:
                ms.lapse_decide(
                    actor=request.user,
                    proposal=proposal,
                    confirm=form.cleaned_data["decision"] == "confirm",
                    note=form.cleaned_data["note"],
                )
            except ValidationError as error:
                apply_validation_error(form, error)
            else:
                messages.success(request, _("Decision recorded."))
                return redirect("members:lapse_list")
    return render(
        request,
        "members/lapse_decide.html",
        {
            "proposal": proposal,
            "person": membership.person,
            "form": form,
            "can_decide": can_decide,
            "breadcrumbs": [
                (_("Lapse proposals"), reverse("members:lapse_list")),
                (membership.person.name, ""),
            ],
        },
    )
