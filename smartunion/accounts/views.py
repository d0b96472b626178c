from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from smartunion.core.forms_support import apply_validation_error
from smartunion.core.http import AuthenticatedRequest
from smartunion.core.masking import mask_phone
from smartunion.core.navigation import has_console
from smartunion.core.permissions import all_permissions, permission_label, require_perm
from smartunion.core.tables import Column, Table, render_table
from smartunion.organisations import selectors as org_selectors

from . import cas, selectors, services, throttle
from .forms import (
    AssignmentFilterForm,
    LoginForm,
    PasswordChangeForm,
    RoleAssignForm,
    RoleForm,
    UserCreateForm,
    UserEditForm,
    UserFilterForm,
)


def _safe_next(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, {request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


def landing_url(user: Any) -> str:
    """Officers land in the console, merchants' cashiers at their counter page, members in the portal."""
    if has_console(user):
        return reverse("dashboards:console_home")
    if user.has_unit_perm("welfare.redeem"):
        return reverse("welfare:merchant_home")
    return reverse("dashboards:portal_home")


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
def login_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect(_safe_next(request, landing_url(request.user)))
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        identifier = throttle.normalise_identifier(form.cleaned_data["username"])
        if throttle.ip_is_blocked(throttle.client_ip_of(request)):
            form.add_error(
                None,
                _("Too many failed logins from this network address. Wait %(minutes)d minutes and try again.")
                % {"minutes": settings.LOGIN_LOCKOUT_MINUTES},
            )
        elif throttle.is_locked(identifier, throttle.find_user(identifier)):
            form.add_error(
                None,
                _(
                    "Too many wrong passwords: this account is locked for %(minutes)d minutes. Try again later or ask the union office to reset your password."
                )
                % {"minutes": settings.LOGIN_LOCKOUT_MINUTES},
            )
        else:
            user = authenticate(request, username=identifier, password=form.cleaned_data["password"])
            if user is None:
                form.add_error(None, _("The staff number / mobile number or the password is wrong."))
            else:
                login(request, user)
                return redirect(_safe_next(request, landing_url(user)))
    return render(
        request,
        "accounts/login.html",
        {
            "form": form,
            "next": request.POST.get("next") or request.GET.get("next", ""),
            "cas_enabled": cas.enabled(),
            "cas_label": settings.CAS_LOGIN_LABEL or _("Campus single sign-on"),
        },
    )


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    messages.info(request, _("You have logged out."))
    return redirect("accounts:login")


@login_required
def home(request: AuthenticatedRequest) -> HttpResponse:
    return redirect(landing_url(request.user))


@sensitive_post_parameters()
@login_required
def password_change(request: AuthenticatedRequest) -> HttpResponse:
    form = PasswordChangeForm(request.user, request.POST or None)
    forced = request.user.must_change_password  # type: ignore[union-attr]
    if request.method == "POST" and form.is_valid():
        user = form.save()
        services.password_changed(user=user)
        update_session_auth_hash(request, user)
        messages.success(request, _("Your password was changed."))
        return redirect(landing_url(user))
    return render(request, "accounts/password_change.html", {"form": form, "forced": forced})


def _cas_service_url(request: HttpRequest) -> str:
    callback = request.build_absolute_uri(reverse("accounts:cas_callback"))
    next_url = _safe_next(request, "")
    # Encoded, so that a next with its own query string comes back whole and the service matches.
    return f"{callback}?{urlencode({'next': next_url})}" if next_url else callback


def cas_login(request: HttpRequest) -> HttpResponse:
    if not cas.enabled():
        messages.error(request, _("Campus single sign-on is not configured."))
        return redirect("accounts:login")
    return redirect(cas.login_url(_cas_service_url(request)))


@never_cache
def cas_callback(request: HttpRequest) -> HttpResponse:
    ticket = request.GET.get("ticket", "")
    if not cas.enabled() or not ticket:
        return redirect("accounts:login")
    user = authenticate(request, cas_ticket=ticket, cas_service=_cas_service_url(request))
    if user is None:
        if getattr(request, "cas_failure", "") == "account":
            message = _(
                "Single sign-on succeeded but no active SmartUnion account has your staff number. Ask the union office to add you."
            )
        else:
            message = _(
                "Single sign-on could not be completed (the sign-on server did not confirm the login). Please try again, or log in with your password."
            )
        messages.error(request, message)
        return redirect("accounts:login")
    login(request, user, backend="smartunion.accounts.backends.CASBackend")
    return redirect(_safe_next(request, landing_url(user)))


# -- roles --------------------------------------------------------------------------------------


class AssignmentTable(Table):
    columns = [
        Column("user_name", gettext_lazy("Name"), value="user.name", sort="user__name"),
        Column("staff_no", gettext_lazy("Staff number"), value="user.staff_no", sort="user__staff_no"),
        Column("role", gettext_lazy("Role"), value="role.name", sort="role__sort_order"),
        Column("unit", gettext_lazy("At unit"), value="unit.name", sort="unit__path", width=24),
        Column("valid_from", gettext_lazy("Valid from"), sort="valid_from"),
        Column("valid_until", gettext_lazy("Valid until")),
        Column("granted_by", gettext_lazy("Granted by"), value="granted_by.name"),
        Column("revoked_at", gettext_lazy("Revoked at")),
    ]
    default_sort = "unit__path"
    export_name = gettext_lazy("Role assignments")


@require_perm("accounts.roles.assign")
def assignment_list(request: AuthenticatedRequest) -> HttpResponseBase:
    form = AssignmentFilterForm(request.GET or None)
    filters: dict[str, Any] = {}
    if form.is_valid():
        filters = {
            "search": form.cleaned_data["q"],
            "role": form.cleaned_data["role"],
            "include_revoked": form.cleaned_data["revoked"],
        }
    assignments = selectors.role_assignments_for_user(user=request.user, **filters)
    return render_table(
        request,
        AssignmentTable(request, assignments),
        "accounts/assignment_list.html",
        {
            "form": form,
            "row_actions_template": "accounts/_assignment_actions.html",
            "breadcrumbs": [(_("Roles and access"), "")],
            "empty_title": _("No role assignments match"),
            "empty_hint": _(
                "Assign a role to give someone access to the console for a unit and its sub-units."
            ),
        },
        export_title=_("Role assignments"),
    )


@require_perm("accounts.roles.assign")
def assignment_create(request: AuthenticatedRequest) -> HttpResponse:
    units = org_selectors.unit_choices_for_user(user=request.user, perm="accounts.roles.assign")
    unit_pk = request.GET.get("unit", "")
    initial = {"unit": units.filter(pk=unit_pk).first() if unit_pk.isdigit() else None}
    form = RoleAssignForm(request.POST or None, units=units, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            assignment = services.role_assign(
                actor=request.user,
                user=data["user"],
                role=data["role"],
                unit=data["unit"],
                valid_from=data["valid_from"],
                valid_until=data["valid_until"],
                note=data["note"],
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(
                request,
                _("%(user)s now holds “%(role)s” at %(unit)s.")
                % {"user": assignment.user, "role": assignment.role.name, "unit": assignment.unit.name},
            )
            return redirect("accounts:assignment_list")
    return render(
        request,
        "accounts/assignment_form.html",
        {
            "form": form,
            "breadcrumbs": [
                (_("Roles and access"), reverse("accounts:assignment_list")),
                (_("Assign a role"), ""),
            ],
        },
    )


@require_perm("accounts.roles.assign")
@require_POST
def assignment_revoke(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    assignment = selectors.role_assignment_get_for_user(user=request.user, pk=pk)
    try:
        services.role_revoke(actor=request.user, assignment=assignment)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The role was revoked."))
    return redirect("accounts:assignment_list")


@require_perm("accounts.roles.assign")
def role_list(request: AuthenticatedRequest) -> HttpResponse:
    roles = list(selectors.roles_with_permissions())
    specs = all_permissions()
    held = {role.pk: {p.code for p in role.permissions.all()} for role in roles}
    matrix = [
        {"code": spec.code, "label": spec.label, "cells": [spec.code in held[role.pk] for role in roles]}
        for spec in specs
    ]
    return render(
        request,
        "accounts/role_list.html",
        {
            "roles": roles,
            "matrix": matrix,
            "can_edit": request.user.scope_for("accounts.roles.edit").at_top,  # type: ignore[union-attr]
            "breadcrumbs": [(_("Roles and access"), reverse("accounts:assignment_list")), (_("Roles"), "")],
        },
    )


@require_perm("accounts.roles.edit")
def role_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    if not request.user.scope_for("accounts.roles.edit").at_top:  # type: ignore[union-attr]
        raise PermissionDenied
    role = selectors.role_get(pk=pk)
    current = {p.code for p in role.permissions.all()}
    form = RoleForm(request.POST or None, initial={"name": role.name, "description": role.description})
    if request.method == "POST" and form.is_valid():
        codes = set(request.POST.getlist("permissions"))
        try:
            services.role_set_permissions(
                actor=request.user,
                role=role,
                codes=codes,
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("The role “%(role)s” was saved.") % {"role": role.name})
            return redirect("accounts:role_list")
        current = codes
    groups: dict[str, list[dict[str, Any]]] = {}
    for spec in all_permissions():
        groups.setdefault(spec.code.split(".", 1)[0], []).append(
            {"code": spec.code, "label": permission_label(spec.code), "checked": spec.code in current}
        )
    return render(
        request,
        "accounts/role_edit.html",
        {
            "form": form,
            "role": role,
            "groups": groups,
            "breadcrumbs": [
                (_("Roles and access"), reverse("accounts:assignment_list")),
                (_("Roles"), reverse("accounts:role_list")),
                (role.name, ""),
            ],
        },
    )


# -- accounts -------------------------------------------------------------------------------------


def _user_url(user: Any) -> str:
    return reverse("accounts:user_detail", args=[user.pk])


class UserTable(Table):
    columns = [
        Column("staff_no", gettext_lazy("Staff number"), sort="staff_no", link=_user_url),
        Column("name", gettext_lazy("Name"), sort="name"),
        Column("mobile", gettext_lazy("Mobile number"), mask=mask_phone),
        Column("is_active", gettext_lazy("Active")),
        Column("must_change_password", gettext_lazy("Initial password not yet changed")),
        Column("last_login", gettext_lazy("Last login"), sort="last_login"),
    ]
    default_sort = "staff_no"
    export_name = gettext_lazy("Accounts")
    unit_path = None


def _require_user_admin(request: AuthenticatedRequest) -> None:
    if not request.user.scope_for("accounts.users.manage").at_top:  # type: ignore[union-attr]
        raise PermissionDenied


@require_perm("accounts.users.manage")
def user_list(request: AuthenticatedRequest) -> HttpResponseBase:
    _require_user_admin(request)
    form = UserFilterForm(request.GET or None)
    search, active = "", None
    if form.is_valid():
        search = form.cleaned_data["q"]
        active = {"1": True, "0": False}.get(form.cleaned_data["active"])
    users = selectors.users_for_admin(user=request.user, search=search, active=active)
    return render_table(
        request,
        UserTable(request, users),
        "accounts/user_list.html",
        {
            "form": form,
            "breadcrumbs": [(_("Accounts"), "")],
            "empty_title": _("No accounts match"),
            "empty_hint": _(
                "Accounts are created by the HR roster import, or one by one with “New account”."
            ),
        },
        export_title=_("Accounts"),
    )


@require_perm("accounts.users.manage")
def user_create(request: AuthenticatedRequest) -> HttpResponse:
    _require_user_admin(request)
    form = UserCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user, password = services.user_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            request.session["initial_password"] = {"user": user.pk, "password": password}
            return redirect("accounts:user_detail", pk=user.pk)
    return render(
        request,
        "accounts/user_form.html",
        {
            "form": form,
            "title": _("New account"),
            "breadcrumbs": [(_("Accounts"), reverse("accounts:user_list")), (_("New account"), "")],
        },
    )


@require_perm("accounts.users.manage")
def user_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    _require_user_admin(request)
    user = selectors.user_get_for_admin(user=request.user, pk=pk)
    form = UserEditForm(
        request.POST or None, initial={"name": user.name, "mobile": user.mobile or "", "email": user.email}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.user_update(actor=request.user, user=user, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("The changes were saved."))
            return redirect("accounts:user_detail", pk=user.pk)
    shown = request.session.pop("initial_password", None)
    initial_password = shown["password"] if shown and shown.get("user") == user.pk else None
    return render(
        request,
        "accounts/user_detail.html",
        {
            "account": user,
            "form": form,
            "initial_password": initial_password,
            "assignments": user.role_assignments.all(),
            "attempts": selectors.recent_login_attempts(user=user),
            "breadcrumbs": [(_("Accounts"), reverse("accounts:user_list")), (str(user), "")],
        },
    )


@require_perm("accounts.users.manage")
@require_POST
def user_reset_password(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    _require_user_admin(request)
    user = selectors.user_get_for_admin(user=request.user, pk=pk)
    password = services.user_reset_password(actor=request.user, user=user)
    request.session["initial_password"] = {"user": user.pk, "password": password}
    return redirect("accounts:user_detail", pk=user.pk)


@require_perm("accounts.users.manage")
@require_POST
def user_toggle_active(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    _require_user_admin(request)
    user = selectors.user_get_for_admin(user=request.user, pk=pk)
    try:
        services.user_set_active(actor=request.user, user=user, active=not user.is_active)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, _("The account was activated.") if user.is_active else _("The account was deactivated.")
        )
    return redirect("accounts:user_detail", pk=user.pk)
