"""The merchants' one page (商户核销): scan or type a voucher's code, see what it is worth, redeem it; the
shop's redemptions of today. A cashier sees only vouchers valid at their own shop(s) and only their shop's
redemptions; anything else answers 404."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from smartunion.core.http import AuthenticatedRequest
from smartunion.core.masking import mask_name
from smartunion.core.permissions import require_perm

from ..forms.vouchers import CodeForm, RedeemForm
from ..selectors import vouchers as selectors
from ..services import vouchers as services


def _context(request: AuthenticatedRequest, **extra: Any) -> dict[str, Any]:
    shops = services.merchants_of(request.user)
    return {"shops": shops, "shop_names": "、".join(shop.name for shop in shops), **extra}


def _today(shops: list[Any]) -> dict[str, Any]:
    rows, total = selectors.redemptions_today(shops)
    return {"today_rows": rows, "today_total": total, "today_count": len(rows)}


@never_cache
@require_perm("welfare.redeem")
def merchant_home(request: AuthenticatedRequest) -> HttpResponse:
    context = _context(request, form=CodeForm())
    context.update(_today(context["shops"]))
    return render(request, "welfare/merchant_home.html", context)


def _check_page(request: AuthenticatedRequest, code: str, form: RedeemForm | None = None) -> HttpResponse:
    context = _context(request)
    try:
        seen = selectors.voucher_for_cashier(user=request.user, code=code)
    except Http404:  # unknown here: the page says so, with the 404 status
        normalised = services.normalise_code(code)
        context.update(form=CodeForm(initial={"code": code}), message=services.not_here_message(normalised))
        return render(request, "welfare/merchant_check.html", context, status=404)
    voucher = seen.voucher
    redeem_form = form or RedeemForm(
        initial={
            "code": voucher.code,
            "seen": f"{voucher.redeemed_amount:.2f}",
            "amount": f"{voucher.balance:.2f}",
        }
    )
    context.update(
        seen=seen,
        voucher=voucher,
        grouped_code=services.grouped(voucher.code),
        member_name=mask_name(voucher.issuance.person.name),
        title=selectors.voucher_title(voucher),
        redeem_form=redeem_form,
        form=CodeForm(),
    )
    return render(request, "welfare/merchant_check.html", context)


@never_cache
@require_perm("welfare.redeem")
def merchant_check(request: AuthenticatedRequest) -> HttpResponse:
    """What a voucher is worth here (GET ?code=…: typed, scanned by the page, or a scanned QR's address)."""
    code = request.GET.get("code", "")
    if not services.normalise_code(code):
        messages.error(request, _("Enter the voucher code, or scan the member's QR code."))
        return redirect("welfare:merchant_home")
    return _check_page(request, code)


@require_POST
@require_perm("welfare.redeem")
def merchant_redeem(request: AuthenticatedRequest) -> HttpResponse:
    form = RedeemForm(request.POST)
    if not form.is_valid():
        return _check_page(request, request.POST.get("code", ""))
    code = form.cleaned_data["code"]
    # Outside the cashier's shops the voucher does not exist (404), before anything is tried.
    seen = selectors.voucher_for_cashier(user=request.user, code=code)
    amount = form.cleaned_data["amount"] if seen.voucher.allow_partial else None
    try:
        redemption = services.voucher_redeem(
            actor=request.user,
            code=code,
            amount=amount or None,
            seen_redeemed=form.cleaned_data["seen"],
            merchant=seen.merchant,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(f"{reverse('welfare:merchant_check')}?code={seen.voucher.code}")
    messages.success(request, _("Redeemed: %(amount)s yuan.") % {"amount": redemption.amount})
    return redirect("welfare:merchant_redemption", pk=redemption.pk)


@never_cache
@require_perm("welfare.redeem")
def merchant_redemption(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    redemption = selectors.redemption_for_cashier(user=request.user, pk=pk)
    voucher = selectors.decorate(redemption.voucher)
    context = _context(
        request,
        redemption=redemption,
        voucher=voucher,
        title=selectors.voucher_title(voucher),
        member_name=mask_name(voucher.issuance.person.name),
        form=CodeForm(),
    )
    return render(request, "welfare/merchant_redeemed.html", context)
