"""Dues pages: the monthly sheet (with its 代扣 export), recording a month as deducted, marking a charge as
not deducted, and the rule's history and new rule form."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from smartunion.core.audit import audit
from smartunion.core.excel.exporting import SheetColumn, write_workbook, xlsx_response
from smartunion.core.forms_support import apply_validation_error
from smartunion.core.http import AuthenticatedRequest
from smartunion.core.permissions import require_perm
from smartunion.organisations import selectors as org_selectors

from .. import selectors, services
from ..forms.dues import DuesMonthForm, DuesRuleForm, DuesSheetFilterForm
from ..models import DuesRule
from ..selectors.dues import DuesSheet, month_start

LINES_PER_PAGE = 50
SAMPLE_BASES = [Decimal(v) for v in ("2999.99", "4567.89", "6120.00", "8888.88", "12345.67")]


def _may_manage_school(user: Any) -> bool:
    return bool(user.scope_for("members.dues.manage").at_top)


def _sheet_url(month: Any, unit: Any = None, page: Any = None) -> str:
    params: dict[str, Any] = {"month": f"{month:%Y-%m}"}
    if unit:
        params["unit"] = unit
    if page:
        params["page"] = page
    return f"{reverse('members:dues_sheet')}?{urlencode(params)}"


@require_perm("members.dues.view")
def dues_sheet(request: AuthenticatedRequest) -> HttpResponseBase:
    user = request.user
    units = org_selectors.unit_choices_for_user(user=user, perm="members.dues.view")
    today = timezone.localdate()
    form = DuesSheetFilterForm(request.GET or None, units=units, initial={"month": month_start(today)})
    month, unit = month_start(today), None
    if form.is_valid():
        month = form.cleaned_data["month"] or month
        unit = form.cleaned_data["unit"]
    sheet = selectors.dues.dues_sheet(user=user, month=month, unit=unit)
    if request.GET.get("export") == "xlsx":
        return _export(request, sheet, unit)
    manage_scope = user.scope_for("members.dues.manage")
    page = Paginator(sheet.lines, LINES_PER_PAGE).get_page(request.GET.get("page"))
    rows = [{"line": line, "can_mark": manage_scope.covers(line.unit_path)} for line in page.object_list]
    can_record = (
        _may_manage_school(user)
        and sheet.recorded is None
        and sheet.rule is not None
        and month <= month_start(today)
    )
    return render(
        request,
        "members/dues_sheet.html",
        {
            "form": form,
            "sheet": sheet,
            "month": month,
            "unit": unit,
            "page": page,
            "rows": rows,
            "can_record": can_record,
            "is_future": month > month_start(today),
            "recorded_months": selectors.dues.recorded_months(12),
            "base_labels": selectors.dues.rule_base_labels(sheet.rule) if sheet.rule else [],
            "rate_percent": _plain(sheet.rule.rate * 100) if sheet.rule else "",
            "export_url": f"{_sheet_url(month, unit.pk if unit else None)}&export=xlsx",
            "return_to": request.get_full_path(),
            "breadcrumbs": [(_("Dues"), "")],
        },
    )


def _export(request: AuthenticatedRequest, sheet: DuesSheet, unit: Any) -> HttpResponseBase:
    """The 代扣 sheet for payroll: one line per member, a subtotal per sub-union, the school total."""
    month_label = date_format(sheet.month, "YEAR_MONTH_FORMAT")
    title = _("Union dues payroll deduction sheet, %(month)s") % {"month": month_label}
    if unit is not None:
        title = f"{title} · {unit.name}"
    columns = [
        SheetColumn(_("Staff number"), 12),
        SheetColumn(_("Name"), 10),
        SheetColumn(_("Unit"), 24),
        SheetColumn(_("Post salary"), 12),
        SheetColumn(_("Grade salary"), 12),
        SheetColumn(_("Base"), 12),
        SheetColumn(_("Dues"), 10),
        SheetColumn(_("School union part"), 12),
        SheetColumn(_("Sub-union part"), 12),
        SheetColumn(_("Deducted"), 8),
    ]
    notes = []
    if sheet.rule is not None:
        notes.append(_rule_summary(sheet.rule))
    notes.append(
        _("Recorded as deducted on %(date)s.")
        % {"date": date_format(timezone.localtime(sheet.recorded.closed_at), "SHORT_DATE_FORMAT")}
        if sheet.recorded
        else _("Not recorded yet: calculated from current salaries and memberships.")
    )

    def rows() -> Any:
        for group in sheet.groups:
            for line in group.lines:
                yield [
                    line.staff_no,
                    line.name,
                    line.unit_name,
                    line.post_salary,
                    line.grade_salary,
                    line.base,
                    line.amount,
                    line.school_part,
                    line.unit_part,
                    line.paid,
                ]
            yield [
                "",
                _("Subtotal"),
                _("%(unit)s (%(count)s members)") % {"unit": group.unit.name, "count": group.totals.count},
                "",
                "",
                "",
                group.totals.amount,
                group.totals.school_part,
                group.totals.unit_part,
                "",
            ]
        yield [
            "",
            _("Total"),
            _("%(count)s members") % {"count": sheet.totals.count},
            "",
            "",
            "",
            sheet.totals.amount,
            sheet.totals.school_part,
            sheet.totals.unit_part,
            "",
        ]

    counted = {"rows": 0}
    name = _("Dues %(month)s") % {"month": f"{sheet.month:%Y-%m}"}

    def write(handle: Any) -> None:
        counted["rows"] = write_workbook(
            handle,
            sheet_title=name,
            columns=columns,
            rows=rows(),
            title=title,
            notes=notes,
        )

    response = xlsx_response(f"{name}-{timezone.localtime():%Y%m%d-%H%M}.xlsx", write)
    audit(
        actor=request.user,
        action="core.list.exported",
        changes={
            "list": name,
            "rows": sheet.totals.count,
            "filters": {"month": f"{sheet.month:%Y-%m}", "unit": unit.name if unit else ""},
            "unmasked_columns": [],
        },
    )
    return response


def _plain(value: Any) -> str:
    """A stored decimal as people write it: 10.00 → "10", 0.10 → "0.1" (never "1E+1")."""
    return format(Decimal(value).normalize(), "f")


def _rule_facts(rule: DuesRule) -> dict[str, str]:
    return {
        "items": " + ".join(selectors.dues.rule_base_labels(rule)),
        "step": _plain(rule.base_step),
        "rate": _plain(Decimal(rule.rate) * 100),
        "precision": _plain(rule.precision),
        "rounding": str(rule.get_rounding_display()),
        "share": _plain(Decimal(rule.school_share) * 100),
    }


def _rule_summary(rule: DuesRule) -> str:
    return _(
        "Rule from %(date)s: base = %(items)s, remainder under %(step)s yuan ignored; %(rate)s%% of the base, "
        "rounded to %(precision)s yuan (%(rounding)s); school union %(share)s%%."
    ) % {"date": date_format(rule.effective_from, "SHORT_DATE_FORMAT"), **_rule_facts(rule)}


@require_perm("members.dues.manage")
@require_POST
def dues_month_record(request: AuthenticatedRequest) -> HttpResponse:
    if not _may_manage_school(request.user):
        raise PermissionDenied
    form = DuesMonthForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect("members:dues_sheet")
    month = form.cleaned_data["month"]
    try:
        record = services.dues.dues_month_record(actor=request.user, month=month)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("%(month)s recorded as deducted: %(count)s members, %(total)s yuan.")
            % {
                "month": date_format(record.month, "YEAR_MONTH_FORMAT"),
                "count": record.charges.count(),
                "total": record.total,
            },
        )
    return redirect(_sheet_url(month))


@require_perm("members.dues.manage")
@require_POST
def dues_charge_paid(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    charge = selectors.dues.charge_get_for_user(user=request.user, pk=pk, perm="members.dues.manage")
    paid = request.POST.get("paid") == "1"
    services.dues.dues_charge_set_paid(
        actor=request.user, charge=charge, paid=paid, note=request.POST.get("note", "")
    )
    person = charge.membership.person
    if paid:
        messages.success(
            request, _("%(person)s's dues are marked as deducted again.") % {"person": person.name}
        )
    else:
        messages.warning(
            request,
            _("%(person)s's dues of %(month)s are marked as not deducted.")
            % {"person": person.name, "month": date_format(charge.dues_month.month, "YEAR_MONTH_FORMAT")},
        )
    back = request.POST.get("next", "")
    if back.startswith(reverse("members:dues_sheet")):
        return redirect(back)
    return redirect(_sheet_url(charge.dues_month.month))


@require_perm("members.dues.view")
def dues_rules(request: AuthenticatedRequest) -> HttpResponse:
    rules = selectors.dues.rule_list()
    current = selectors.dues.rule_in_force(timezone.localdate())
    return render(
        request,
        "members/dues_rules.html",
        {
            "rules": [{"rule": rule, "summary": _rule_summary(rule)} for rule in rules],
            "current": current,
            "facts": _rule_facts(current) if current else {},
            "samples": selectors.dues.sample_dues(current, SAMPLE_BASES) if current else [],
            "can_set": _may_manage_school(request.user),
            "last_recorded": selectors.dues.last_recorded_month(),
            "breadcrumbs": [(_("Dues"), reverse("members:dues_sheet")), (_("Dues rule"), "")],
        },
    )


@require_perm("members.dues.manage")
def dues_rule_new(request: AuthenticatedRequest) -> HttpResponse:
    if not _may_manage_school(request.user):
        raise PermissionDenied
    current = selectors.dues.rule_in_force(timezone.localdate())
    samples: list[dict[str, Decimal]] = []
    if request.method == "POST":
        form = DuesRuleForm(request.POST)
        if form.is_valid():
            arguments = form.service_arguments()
            if request.POST.get("action") == "save":
                try:
                    rule = services.dues.dues_rule_set(actor=request.user, **arguments)
                except ValidationError as error:
                    _apply(form, error)
                else:
                    messages.success(
                        request,
                        _("The dues rule from %(date)s is set.")
                        % {"date": date_format(rule.effective_from, "YEAR_MONTH_FORMAT")},
                    )
                    return redirect("members:dues_rules")
            else:
                try:
                    values = services.dues.dues_rule_clean(**arguments)
                except ValidationError as error:
                    _apply(form, error)
                else:
                    values.pop("note")
                    samples = selectors.dues.sample_dues(DuesRule(**values), SAMPLE_BASES)
    else:
        form = DuesRuleForm(initial=DuesRuleForm.initial_from(current))
    return render(
        request,
        "members/dues_rule_form.html",
        {
            "form": form,
            "samples": samples,
            "current": current,
            "last_recorded": selectors.dues.last_recorded_month(),
            "breadcrumbs": [
                (_("Dues"), reverse("members:dues_sheet")),
                (_("Dues rule"), reverse("members:dues_rules")),
                (_("New rule"), ""),
            ],
        },
    )


def _apply(form: DuesRuleForm, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        error = ValidationError(
            {DuesRuleForm.FIELD_OF.get(key, key): value for key, value in error.error_dict.items()}
        )
    apply_validation_error(form, error)
