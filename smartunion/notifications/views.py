from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from smartunion.core.http import AuthenticatedRequest
from smartunion.core.permissions import require_perm

from . import selectors, services


def _inbox(request: AuthenticatedRequest, template: str, shell: str) -> HttpResponse:
    unread_only = request.GET.get("unread") == "1"
    page = Paginator(selectors.inbox(user=request.user, unread_only=unread_only), 20).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        template,
        {
            "page": page,
            "unread_only": unread_only,
            "shell": shell,
            "breadcrumbs": [(_("Notifications"), "")],
            "portal_section": "me",
            "back_url": "/m/me/",
        },
    )


@login_required
def portal_inbox(request: AuthenticatedRequest) -> HttpResponse:
    return _inbox(request, "notifications/portal_inbox.html", "portal")


@require_perm("core.console")
def console_inbox(request: AuthenticatedRequest) -> HttpResponse:
    return _inbox(request, "notifications/console_inbox.html", "console")


@login_required
def open_notification(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    notification = selectors.notification_get_for_user(user=request.user, pk=pk)
    services.mark_read(user=request.user, notification=notification)
    if notification.link and url_has_allowed_host_and_scheme(notification.link, {request.get_host()}):
        return redirect(notification.link)
    back = request.GET.get("back", "")
    if back and url_has_allowed_host_and_scheme(back, {request.get_host()}):
        return redirect(back)
    return redirect("notifications:portal_inbox")


@login_required
@require_POST
def mark_all_read(request: AuthenticatedRequest) -> HttpResponse:
    count = services.mark_all_read(user=request.user)
    messages.success(request, _("%(count)d notifications marked as read.") % {"count": count})
    back = request.POST.get("next", "")
    if back and url_has_allowed_host_and_scheme(back, {request.get_host()}):
        return redirect(back)
    return redirect("notifications:portal_inbox")
