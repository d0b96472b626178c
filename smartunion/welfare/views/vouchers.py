"""提货券 pages: the member's own vouchers with their QR (portal), and for the union office the merchants
with their cashier accounts, the reconciliation of a merchant's redemptions, and settlements (console).

Merchants serve the whole school, so the console pages need ``welfare.merchants.manage`` held at the top
of the tree (a holder at a sub-union is refused, 403)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from smartunion.core.forms_support import apply_validation_error
from smartunion.core.http import AuthenticatedRequest
from smartunion.core.permissions import require_perm
from smartunion.core.tables import Column, Table, render_table
from smartunion.members.selectors import person_of_user

from ..forms.vouchers import CashierForm, MerchantForm, PeriodForm
from ..selectors import vouchers as selectors
from ..services import vouchers as services

MANAGE = "welfare.merchants.manage"


# -- the member portal ----------------------------------------------------------------------------------


def _portal(**extra: Any) -> dict[str, Any]:
    return {
        "portal_section": "welfare",
        "back_url": reverse("dashboards:portal_section", args=["welfare"]),
        **extra,
    }


def voucher_qr_svg(request: Any, code: str) -> str:
    """The QR carries the counter's check address with the code: the merchant page's scanner reads the
    code from it, and a cashier's phone camera opens the check page directly."""
    url = request.build_absolute_uri(reverse("welfare:merchant_check")) + f"?code={code}"
    return str(segno.make(url, error="m").svg_inline(scale=6, border=2, dark="#1f2329", omitsize=True))


@never_cache
@login_required
def my_vouchers(request: AuthenticatedRequest) -> HttpResponse:
    person = person_of_user(request.user)
    vouchers = selectors.vouchers_of_person(person)
    usable = [v for v in vouchers if v.state == "active"]  # type: ignore[attr-defined]
    done = [v for v in vouchers if v.state != "active"]  # type: ignore[attr-defined]
    for voucher in vouchers:
        voucher.title = selectors.voucher_title(voucher)  # type: ignore[attr-defined]
    return render(
        request,
        "welfare/portal_vouchers.html",
        _portal(person=person, usable=usable, done=done),
    )


@never_cache
@login_required
def my_voucher(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    person = person_of_user(request.user)
    voucher = selectors.voucher_of_person(person=person, pk=pk)
    return render(
        request,
        "welfare/portal_voucher.html",
        {
            **_portal(),
            "back_url": reverse("welfare:my_vouchers"),
            "voucher": voucher,
            "title": selectors.voucher_title(voucher),
            "grouped_code": services.grouped(voucher.code),
            "qr_svg": voucher_qr_svg(request, voucher.code) if voucher.usable else "",  # type: ignore[attr-defined]
            "redemptions": list(voucher.redemptions.select_related("merchant").order_by("redeemed_at")),
        },
    )


def portal_block(request: Any) -> dict[str, Any] | None:
    """我的提货券 in the portal's welfare section, with the number still valid (hidden without any)."""
    person = person_of_user(request.user)
    if person is None or not selectors.vouchers_of_person(person):
        return None
    return {"valid_count": selectors.valid_voucher_count(person)}


# -- console: merchants ---------------------------------------------------------------------------------

View = Callable[..., HttpResponseBase]


def office(view: View) -> View:
    """``welfare.merchants.manage`` held school-wide."""

    @require_perm(MANAGE)
    @wraps(view)
    def wrapper(request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.scope_for(MANAGE).at_top:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def _crumbs(*extra: tuple[str, str]) -> list[tuple[str, str]]:
    return [(_("Merchants"), reverse("welfare:merchant_list")), *extra]


class MerchantTable(Table):
    columns = [
        Column(
            "name",
            gettext_lazy("Merchant"),
            sort="name",
            link=lambda m: reverse("welfare:merchant_edit", args=[m.pk]),
            width=24,
        ),
        Column("contact", gettext_lazy("Contact"), width=16),
        Column("address", gettext_lazy("Address"), width=24),
        Column("cashier_count", gettext_lazy("Cashier accounts"), css="num", width=10),
        Column("unsettled_count", gettext_lazy("Unsettled redemptions"), css="num", width=12),
        Column(
            "is_active",
            gettext_lazy("Status"),
            value=lambda m: _("Active") if m.is_active else _("Inactive"),
            width=8,
        ),
    ]
    default_sort = "name"
    export_name = gettext_lazy("Merchants")
    unit_path = None


@office
def merchant_list(request: AuthenticatedRequest) -> HttpResponseBase:
    return render_table(
        request,
        MerchantTable(request, selectors.merchants_with_counts()),
        "welfare/merchant_list.html",
        {
            "breadcrumbs": [(_("Merchants"), "")],
            "row_actions_template": "welfare/merchant_row_actions.html",
            "empty_title": _("No merchants yet"),
            "empty_hint": _(
                "Add the shops where members redeem their 提货券, then give each a cashier account."
            ),
        },
    )


def _merchant_form_page(request: AuthenticatedRequest, merchant: Any = None) -> HttpResponseBase:
    initial = (
        {
            "name": merchant.name,
            "contact": merchant.contact,
            "address": merchant.address,
            "is_active": merchant.is_active,
        }
        if merchant
        else None
    )
    form = MerchantForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.merchant_save(actor=request.user, merchant=merchant, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("%(name)s was saved.") % {"name": saved.name})
            return redirect("welfare:merchant_edit", pk=saved.pk)
    context: dict[str, Any] = {"form": form, "merchant": merchant}
    if merchant is None:
        context["breadcrumbs"] = _crumbs((_("New merchant"), ""))
    else:
        context.update(
            breadcrumbs=_crumbs((merchant.name, "")),
            cashiers=selectors.merchant_cashiers(merchant),
            cashier_form=CashierForm(),
            settlements=list(selectors.settlements().filter(merchant=merchant)[:10]),
        )
    return render(request, "welfare/merchant_form.html", context)


@office
def merchant_new(request: AuthenticatedRequest) -> HttpResponseBase:
    return _merchant_form_page(request)


@office
def merchant_edit(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    return _merchant_form_page(request, selectors.merchant_get(pk=pk))


@require_POST
@office
def merchant_cashier_add(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    merchant = selectors.merchant_get(pk=pk)
    form = CashierForm(request.POST)
    if form.is_valid():
        try:
            user, password = services.merchant_user_add(
                actor=request.user, merchant=merchant, **form.cleaned_data
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            if password:
                messages.success(
                    request,
                    _(
                        "The account %(login)s was created with the initial password %(password)s. Hand it to "
                        "the cashier; it must be changed at the first login. It is not shown again."
                    )
                    % {"login": user.staff_no, "password": password},
                )
            else:
                messages.success(
                    request,
                    _("%(user)s is now a cashier of %(merchant)s.") % {"user": user, "merchant": merchant},
                )
    else:
        messages.error(request, _("Enter the login of the cashier account."))
    return redirect("welfare:merchant_edit", pk=merchant.pk)


@require_POST
@office
def merchant_cashier_remove(request: AuthenticatedRequest, pk: int, user_pk: int) -> HttpResponseBase:
    merchant = selectors.merchant_get(pk=pk)
    user = next((u for u in selectors.merchant_cashiers(merchant) if u.pk == user_pk), None)
    if user is None:
        raise Http404
    services.merchant_user_remove(actor=request.user, merchant=merchant, user=user)
    messages.success(
        request, _("%(user)s no longer redeems for %(merchant)s.") % {"user": user, "merchant": merchant}
    )
    return redirect("welfare:merchant_edit", pk=merchant.pk)


# -- console: reconciliation and settlements -------------------------------------------------------------


class RedemptionTable(Table):
    columns = [
        Column(
            "redeemed_at",
            gettext_lazy("Redeemed at"),
            value=lambda r: r.redeemed_at,
            sort="redeemed_at",
            width=18,
        ),
        Column(
            "code",
            gettext_lazy("Voucher"),
            value=lambda r: f"{r.voucher.code[:4]}…{r.voucher.code[-4:]}",
            width=14,
        ),
        Column("member", gettext_lazy("Member"), value="voucher.issuance.person.name", width=12),
        Column("item", gettext_lazy("Benefit"), value=lambda r: selectors.voucher_title(r.voucher), width=20),
        Column("cashier", gettext_lazy("Cashier"), value="redeemed_by.name", width=12),
        Column("amount", gettext_lazy("Amount"), sort="amount", css="num", width=12),
        Column(
            "settlement",
            gettext_lazy("Settlement"),
            value=lambda r: f"#{r.settlement_id}" if r.settlement_id else _("Unsettled"),
            link=lambda r: (
                reverse("welfare:settlement_detail", args=[r.settlement_id]) if r.settlement_id else ""
            ),
            width=10,
        ),
    ]
    default_sort = "redeemed_at"
    export_name = gettext_lazy("Redemptions")
    unit_path = None


@office
def reconciliation(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    merchant = selectors.merchant_get(pk=pk)
    form = PeriodForm(request.GET or None)
    start, end = form.period()
    report = selectors.reconciliation(merchant, start, end)
    return render_table(
        request,
        RedemptionTable(request, selectors.period_redemptions(merchant, start, end)),
        "welfare/merchant_reconciliation.html",
        {
            "merchant": merchant,
            "form": form,
            "report": report,
            "breadcrumbs": _crumbs(
                (merchant.name, reverse("welfare:merchant_edit", args=[merchant.pk])),
                (_("Reconciliation"), ""),
            ),
            "empty_title": _("No redemptions in this period"),
            "empty_hint": _("Choose another period, or wait for the members to redeem their vouchers here."),
        },
        export_title=_("%(merchant)s: redemptions %(start)s – %(end)s")
        % {"merchant": merchant.name, "start": start, "end": end},
    )


@office
def settlement_new(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    """结算: the period's unsettled redemptions, confirmed, become one settlement (and its postings)."""
    merchant = selectors.merchant_get(pk=pk)
    form = PeriodForm(request.POST if request.method == "POST" else (request.GET or None))
    start, end = form.period()
    errors: list[str] = []
    if request.method == "POST":
        try:
            settlement = services.settlement_create(
                actor=request.user, merchant=merchant, period_from=start, period_to=end
            )
        except ValidationError as error:
            errors = error.messages
        else:
            messages.success(
                request,
                _("Settled %(count)s redemptions, %(total)s yuan.")
                % {"count": settlement.count, "total": settlement.total},
            )
            return redirect("welfare:settlement_detail", pk=settlement.pk)
    return render(
        request,
        "welfare/settlement_new.html",
        {
            "merchant": merchant,
            "form": form,
            "start": start,
            "end": end,
            "report": selectors.reconciliation(merchant, start, end),
            "errors": errors,
            "breadcrumbs": _crumbs(
                (merchant.name, reverse("welfare:merchant_edit", args=[merchant.pk])), (_("Settle"), "")
            ),
        },
    )


class SettlementTable(Table):
    columns = [
        Column(
            "pk",
            gettext_lazy("No."),
            value=lambda s: f"#{s.pk}",
            sort="pk",
            link=lambda s: reverse("welfare:settlement_detail", args=[s.pk]),
            width=8,
        ),
        Column("merchant", gettext_lazy("Merchant"), value="merchant.name", sort="merchant__name", width=20),
        Column("period_from", gettext_lazy("From"), width=12),
        Column("period_to", gettext_lazy("To"), width=12),
        Column("count", gettext_lazy("Redemptions"), css="num", width=10),
        Column("total", gettext_lazy("Total"), sort="total", css="num", width=14),
        Column("settled_by", gettext_lazy("Settled by"), value="settled_by.name", width=12),
        Column("settled_at", gettext_lazy("Settled at"), sort="settled_at", width=18),
    ]
    default_sort = "-settled_at"
    export_name = gettext_lazy("Settlements")
    unit_path = None


@office
def settlement_list(request: AuthenticatedRequest) -> HttpResponseBase:
    return render_table(
        request,
        SettlementTable(request, selectors.settlements()),
        "welfare/settlement_list.html",
        {
            "breadcrumbs": [(_("Settlements"), "")],
            "empty_title": _("No settlements yet"),
            "empty_hint": _(
                "Open a merchant's reconciliation and settle a period when the shop sends its bill."
            ),
        },
    )


@office
def settlement_detail(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    settlement = selectors.settlement_get(pk=pk)
    return render(
        request,
        "welfare/settlement_detail.html",
        {
            "settlement": settlement,
            "redemptions": list(
                selectors.redemptions_of_merchants([settlement.merchant])
                .filter(settlement=settlement)
                .order_by("redeemed_at")[:500]
            ),
            "entries": selectors.settlement_entries(settlement),
            "breadcrumbs": [
                (_("Settlements"), reverse("welfare:settlement_list")),
                (f"#{settlement.pk}", ""),
            ],
        },
    )
