"""The chart of categories (收支科目): adding and changing categories, effective-dated.

A category is never deleted: one no longer used gets an end date (停用日期), and postings dated after it are
refused by ``entry_post``. The chart is school-wide, so changes need ``finance.budget.manage`` at the top of
the tree. Codes follow the accounting convention that a sub-category's code extends its parent's (501 →
50101), and a sub-category has its parent's kind. Once money has been posted to a category its code and
kind are fixed: printed reports of earlier years name it by them.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from smartunion.core.audit import audit

from .models import BudgetLine, Category, EntryLine
from .selectors import category_subtree_ids

__all__ = ["category_save"]

CODE = re.compile(r"^[0-9A-Za-z]{1,20}$")


def _check_may_manage(actor: Any) -> None:
    if actor is None or not actor.scope_for("finance.budget.manage").at_top:
        raise PermissionDenied


def _is_used(category: Category) -> bool:
    return (
        EntryLine.objects.filter(category=category).exists()
        or BudgetLine.objects.filter(category=category).exists()
    )


def _errors(
    *,
    category: Category | None,
    code: str,
    name: str,
    kind: str,
    parent: Category | None,
    overspend: str,
    valid_from: dt.date | None,
    valid_to: dt.date | None,
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if not CODE.match(code):
        add("code", _("A code is 1 to 20 letters or digits, e.g. 50104."))
    elif Category.objects.filter(code=code).exclude(pk=category.pk if category else 0).exists():
        add("code", _("The code %(code)s is taken by another category.") % {"code": code})
    if not name:
        add("name", _("Give the category a name."))
    if kind not in Category.Kind.values:
        add("kind", _("Choose income, expense or net assets."))
    if overspend not in Category.Overspend.values:
        add("overspend", _("Choose stop or warn."))
    if valid_from and valid_to and valid_to < valid_from:
        add("valid_to", _("The end date is before the start date."))
    if parent is not None:
        if category is not None and parent.pk in category_subtree_ids(category):
            add("parent", _("A category cannot sit under itself or one of its sub-categories."))
        if parent.kind != kind:
            add(
                "kind",
                _("A sub-category has its parent's kind: %(parent)s is %(kind)s.")
                % {"parent": parent, "kind": parent.get_kind_display()},
            )
        if CODE.match(code) and (not code.startswith(parent.code) or code == parent.code):
            add(
                "code",
                _("A sub-category's code extends its parent's: under %(parent)s, e.g. %(example)s.")
                % {"parent": parent.code, "example": f"{parent.code}01"},
            )
    if category is not None and _is_used(category):
        if code != category.code:
            add("code", _("Money has been budgeted or posted on this category: its code is fixed."))
        if kind != category.kind:
            add("kind", _("Money has been budgeted or posted on this category: its kind is fixed."))
    if category is not None and kind != category.kind and category.children.exists():
        add("kind", _("This category has sub-categories: change their kind first."))
    return errors


@transaction.atomic
def category_save(
    *,
    actor: Any,
    code: str,
    name: str,
    kind: str,
    parent: Category | None = None,
    overspend: str = Category.Overspend.STOP,
    valid_from: dt.date | None = None,
    valid_to: dt.date | None = None,
    sort_order: int = 0,
    category: Category | None = None,
) -> Category:
    """Add a category (``category=None``) or change one; ValidationError by field, nothing written."""
    _check_may_manage(actor)
    code, name = code.strip(), name.strip()
    if category is not None:
        category = Category.objects.select_for_update().get(pk=category.pk)
    errors = _errors(
        category=category,
        code=code,
        name=name,
        kind=kind,
        parent=parent,
        overspend=overspend,
        valid_from=valid_from,
        valid_to=valid_to,
    )
    if errors:
        raise ValidationError(errors)
    values: dict[str, Any] = {
        "code": code,
        "name": name[:100],
        "kind": kind,
        "parent": parent,
        "overspend": overspend,
        "valid_from": valid_from,
        "valid_to": valid_to,
        "sort_order": sort_order,
    }
    if category is None:
        try:
            with transaction.atomic():
                created = Category.objects.create(**values)
        except IntegrityError:
            raise ValidationError(
                {"code": _("The code %(code)s was taken meanwhile.") % {"code": code}}
            ) from None
        audit(
            actor=actor,
            action="finance.category.created",
            target=created,
            changes={
                key: [None, _display(value)] for key, value in values.items() if value not in (None, "")
            },
        )
        return created
    changes = {
        key: [_display(getattr(category, key)), _display(value)]
        for key, value in values.items()
        if getattr(category, key) != value
    }
    if changes:
        for key, value in values.items():
            setattr(category, key, value)
        category.save()
        audit(actor=actor, action="finance.category.changed", target=category, changes=changes)
    return category


def _display(value: Any) -> Any:
    if isinstance(value, Category):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value
