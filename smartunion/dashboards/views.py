"""The two shells' home pages. Dashboards only read (through other apps' selectors)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import cache_control

from smartunion.core.http import AuthenticatedRequest
from smartunion.core.navigation import has_console, portal_blocks
from smartunion.core.permissions import require_perm
from smartunion.hardship.selectors import stats as hardship_stats
from smartunion.members import selectors as member_selectors
from smartunion.organisations import selectors as org_selectors

SECTION_TITLES = {
    "activities": (gettext_lazy("Activities"), "calendar"),
    "welfare": (gettext_lazy("Welfare"), "gift"),
    "services": (gettext_lazy("Services"), "grid"),
}


@require_perm("core.console")
def console_home(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    stats = []
    if user.has_unit_perm("organisations.view"):
        stats.append(
            {
                "label": _("Units"),
                "value": org_selectors.unit_list_for_user(user=user).count(),
                "url": reverse("organisations:unit_list"),
            }
        )
    composition = None
    kpis: list[dict[str, Any]] = []
    if user.has_unit_perm("members.view"):
        stats.append(
            {
                "label": _("Staff"),
                "value": member_selectors.count_in_scope(user=user),
                "url": reverse("members:person_list"),
            }
        )
        composition = member_selectors.staff_composition(user=user)
        kpis = _membership_kpis(user)
    # Hardship: aggregate counts only (PIPL), for holders of hardship.stats.view.
    hardship = hardship_stats.dashboard_counts(user) if user.has_unit_perm("hardship.stats.view") else {}
    return render(
        request,
        "dashboards/console_home.html",
        {"stats": stats, "composition": composition, "kpis": kpis, "hardship": hardship},
    )


def _membership_kpis(user: Any) -> list[dict[str, Any]]:
    """入会率 today and 新进教职工入会率 this year in the user's scope, each against the 100 % target."""
    overview = reverse("members:kpi_overview")
    rate = member_selectors.kpis.join_rate(user=user)
    start, end = member_selectors.kpis.default_period()
    hires = member_selectors.kpis.new_hire_join_rate(user=user, start=start, end=end)
    people = reverse("members:kpi_people")
    return [
        {
            "key": "join_rate",
            "title": _("Membership rate"),
            "report": rate,
            "numerator_label": _("members"),
            "denominator_label": _("eligible staff"),
            "gap_label": _("not members"),
            "gap_url": f"{people}?kpi=join_rate&group=non_members",
            "url": overview,
        },
        {
            "key": "new_hires",
            "title": _("New staff membership rate, %(year)s") % {"year": start.year},
            "report": hires,
            "numerator_label": _("joined in time"),
            "denominator_label": _("new hires"),
            "gap_label": _("not joined in time"),
            "gap_url": f"{people}?kpi=new_hires&group=not_joined&start={start}&end={end}",
            "url": overview,
        },
    ]


@login_required
def portal_home(request: AuthenticatedRequest) -> HttpResponse:
    return render(
        request,
        "dashboards/portal_home.html",
        {
            "blocks": portal_blocks.render_list("home", request),
            "portal_section": "home",
            "person": member_selectors.person_of_user(request.user),
            "has_console": has_console(request.user),
        },
    )


@login_required
def portal_section(request: AuthenticatedRequest, section: str) -> HttpResponse:
    if section not in SECTION_TITLES:
        raise Http404
    title, icon = SECTION_TITLES[section]
    return render(
        request,
        "dashboards/portal_section.html",
        {
            "blocks": portal_blocks.render_list(section, request),
            "portal_section": section,
            "section_title": title,
            "section_icon": icon,
        },
    )


@login_required
def portal_me(request: AuthenticatedRequest) -> HttpResponse:
    return render(
        request,
        "dashboards/portal_me.html",
        {
            "blocks": portal_blocks.render_list("me", request),
            "portal_section": "me",
            "has_console": has_console(request.user),
        },
    )


@cache_control(max_age=3600)
def manifest(request: HttpRequest) -> JsonResponse:
    """The web app manifest that lets the member portal install on a phone's home screen."""
    return JsonResponse(
        {
            "name": _("SmartUnion member portal"),
            "short_name": _("SmartUnion"),
            "start_url": "/m/",
            "scope": "/m/",
            "display": "standalone",
            "background_color": "#f5f5f7",
            "theme_color": "#c62828",
            "lang": "zh-CN",
            "icons": [
                {"src": static("img/icon-192.png"), "sizes": "192x192", "type": "image/png"},
                {"src": static("img/icon-512.png"), "sizes": "512x512", "type": "image/png"},
                {
                    "src": static("img/icon-512-maskable.png"),
                    "sizes": "512x512",
                    "type": "image/png",
                    "purpose": "maskable",
                },
            ],
        },
        json_dumps_params={"ensure_ascii": False},
        content_type="application/manifest+json",
    )


OFFLINE_PAGE = "/m/offline/"


@cache_control(no_cache=True)
def service_worker(request: HttpRequest) -> HttpResponse:
    """Served from /m/ so its scope is the portal. Caches the shell's static assets; pages always come
    from the network (they are personal), with an offline page when there is none."""
    assets = [
        static("css/smartunion.css"),
        static("js/smartunion.js"),
        static("img/icon.svg"),
        static("django_htmx/htmx-2.min.js"),
    ]
    body = render(
        request, "dashboards/sw.js", {"assets": assets, "offline": OFFLINE_PAGE, "version": "v1"}
    ).content
    response = HttpResponse(body, content_type="application/javascript")
    response["Service-Worker-Allowed"] = "/m/"
    return response


def offline(request: HttpRequest) -> HttpResponse:
    return render(request, "dashboards/offline.html")
