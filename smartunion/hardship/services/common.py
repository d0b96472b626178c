"""What every part of the hardship module shares: the category (re)computation with its history, the
consent record, the encrypted documents and the numbering."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from smartunion.core import crypto
from smartunion.core.audit import audit
from smartunion.core.uploads import MB, check_upload
from smartunion.hardship.models import (
    AssistanceApplication,
    CategoryChange,
    Consent,
    Document,
    HardshipFile,
)
from smartunion.hardship.selectors.dibao import dibao_amount

from .category import Derivation, Figures, derive

DOCUMENT_MAX_BYTES = 10 * MB
DOCUMENT_SIGNATURES = {
    ".pdf": ("application/pdf", b"%PDF"),
    ".jpg": ("image/jpeg", b"\xff\xd8\xff"),
    ".jpeg": ("image/jpeg", b"\xff\xd8\xff"),
    ".png": ("image/png", b"\x89PNG\r\n\x1a\n"),
}

# -- the category ------------------------------------------------------------------------------------


def file_derivation(file: HardshipFile) -> Derivation:
    """The computation for the file's figures now (decrypts the household's incomes)."""
    incomes = tuple(member.annual_income or 0 for member in file.household.all())
    figures = Figures(
        incomes=tuple(map(_decimal, incomes)),
        medical=_decimal(file.medical_expense),
        schooling=_decimal(file.schooling_expense),
        other_rigid=_decimal(file.other_rigid_expense),
        accident_costs=_decimal(file.accident_costs),
    )
    return derive(figures, dibao_amount(file.city, file.year))


def _decimal(value: Any) -> Any:
    from decimal import Decimal

    return Decimal(str(value)) if value not in (None, "") else Decimal("0")


def file_recompute(
    *, file: HardshipFile, actor: Any, source: str = CategoryChange.Source.COMPUTED, reason: str = ""
) -> Derivation:
    """Compute the category from the figures; keep the officer's override if there is one. A change of the
    effective category is written to the file's history (and the audit log, without figures)."""
    derivation = file_derivation(file)
    old = file.category
    file.computed_category = derivation.category
    file.category = file.category_override or derivation.category
    file.save(update_fields=["computed_category", "category", "updated_at"])
    if file.category != old:
        CategoryChange.objects.create(
            file=file,
            source=source,
            old_category=old,
            new_category=file.category,
            reason=reason,
            changed_by=actor if getattr(actor, "pk", None) else None,
        )
        audit(
            actor=actor,
            action="hardship.file.category_changed",
            target=file,
            changes={"category": [old, file.category], "source": source},
        )
    return derivation


# -- consent (PIPL art. 29–31) -----------------------------------------------------------------------

CONSENT_VERSION = "2026-1"
_NOTICES = {
    Consent.Purpose.HARDSHIP_FILE: gettext_lazy(
        "为认定困难职工家庭并提供帮扶，校工会需要收集您家庭成员的姓名、出生年份、职业、年收入，"
        "以及刚性支出、住房、致困原因和健康状况等信息和证明材料。这些信息属于敏感个人信息，仅用于"
        "困难认定、帮扶和复核，加密保存，只有负责本案的分工会主席和校工会帮扶工作人员可以查看，每次"
        "查看都有记录；公示只显示姓名和单位。档案在脱困或退档后保存%(years)s年，之后删除，只保留不含"
        "个人信息的统计数。家中有未满14周岁子女的，须由监护人同意。您可以随时在“我的—个人信息”查阅"
        "和下载这些信息。"
    ),
    Consent.Purpose.ASSISTANCE: gettext_lazy(
        "为审核您的帮扶补助申请并发放补助，校工会需要收集申请事由、相关金额（如自付医疗费用）、"
        "证明材料和收款账户。这些信息属于敏感个人信息，仅用于本次申请的审核、发放和年度限额核对，"
        "加密保存，只有分工会主席和校工会帮扶工作人员可以查看，每次查看都有记录。申请办结后保存"
        "%(years)s年，之后删除，只保留不含个人信息的统计数。您可以随时在“我的—个人信息”查阅和下载。"
    ),
}


def consent_notice(purpose: str) -> str:
    """The notice shown beside the consent checkbox (and stored with the consent, word for word)."""
    return str(_NOTICES[Consent.Purpose(purpose)]) % {"years": settings.HARDSHIP_RETENTION_YEARS}


def consent_record(
    *, person: Any, purpose: str, actor: Any, method: str, guardian_consent: bool = False
) -> Consent:
    consent = Consent.objects.create(
        person=person,
        purpose=purpose,
        notice_version=CONSENT_VERSION,
        notice_text=consent_notice(purpose),
        method=method,
        guardian_consent=guardian_consent,
        given_by=actor,
        given_at=timezone.now(),
    )
    audit(
        actor=actor,
        action="hardship.consent.given",
        target=consent,
        unit=getattr(person, "unit", None),
        changes={"purpose": purpose, "method": method, "guardian_consent": guardian_consent},
    )
    return consent


# -- documents (encrypted at rest) -----------------------------------------------------------------


def check_document(name: str, data: bytes) -> str:
    return check_upload(
        name,
        data,
        signatures=DOCUMENT_SIGNATURES,
        max_bytes=DOCUMENT_MAX_BYTES,
        not_accepted=_("“%(name)s” is not accepted: attach a PDF, JPEG or PNG file."),
        too_large=_("“%(name)s” is %(size).1f MB; a document may be at most %(max)d MB."),
    )


def document_add(
    *,
    actor: Any,
    kind: str,
    name: str,
    data: bytes,
    file: HardshipFile | None = None,
    application: AssistanceApplication | None = None,
) -> Document:
    """Keep one checked document, encrypted. ValidationError (nothing kept) when the file is not acceptable."""
    if kind not in Document.Kind.values:
        raise ValidationError(_("Choose what kind of document this is."))
    content_type = check_document(name, data)
    document = Document.objects.create(
        file=file,
        application=application,
        kind=kind,
        filename=name[:200],
        content_type=content_type,
        size=len(data),
        content=crypto.encrypt_bytes(data),
        uploaded_by=actor,
    )
    record = file or application
    # The file name can say what the illness is: the audit log, read widely, keeps only the number and kind.
    audit(
        actor=actor,
        action="hardship.document.added",
        target=record,
        changes={"document": document.pk, "document_kind": kind},
    )
    return document


def document_read(*, actor: Any, document: Document) -> bytes:
    """The plaintext of a document; every read is logged (who, when, which document of which record)."""
    record = document.file or document.application
    audit(
        actor=actor,
        action="hardship.document.viewed",
        target=record,
        changes={"document": document.pk, "document_kind": document.kind},
        sensitive=True,
    )
    return crypto.decrypt_bytes(bytes(document.content))


def log_sensitive_view(*, actor: Any, record: Model, what: str) -> None:
    """Log one view of a record's full figures (PIPL: who, when, what)."""
    action = (
        "hardship.application.viewed" if isinstance(record, AssistanceApplication) else "hardship.file.viewed"
    )
    audit(actor=actor, action=action, target=record, changes={"what": what}, sensitive=True)


def log_export(
    *,
    actor: Any,
    kind: str,
    rows: int,
    filters: dict[str, Any],
    unit: Any = None,
    perm: str | None = None,
) -> None:
    """Log an export ("files", "applications" or "stats") under ``unit`` — the unit filter of the export;
    without one, the unit of the actor's scope for ``perm`` when that scope is one subtree; else none."""
    from smartunion.organisations import selectors as org_selectors

    if unit is None and perm:
        paths = sorted(actor.scope_for(perm).paths)
        if len(paths) == 1 and paths[0]:
            unit = org_selectors.unit_by_path(paths[0])
    action = {
        "applications": "hardship.application.exported",
        "stats": "hardship.stats.exported",
    }.get(kind, "hardship.file.exported")
    audit(actor=actor, action=action, unit=unit, changes={"rows": rows, "filters": filters}, sensitive=True)


# -- numbering ------------------------------------------------------------------------------------


def next_number(model: type[Model], prefix: str, year: int) -> str:
    """KN2026-0007 / BZ2026-0012: the next number of the year (called under the caller's row lock or
    retried on the unique constraint). Ordered numerically, not as text: the sequence is padded to four
    digits only, so after KN2026-9999 comes KN2026-10000 — the longer number is the later one."""
    from django.db.models.functions import Length

    stem = f"{prefix}{year}-"
    last = (
        model._default_manager.filter(number__startswith=stem)
        .order_by(Length("number").desc(), "-number")
        .values_list("number", flat=True)
        .first()
    )
    sequence = int(last[len(stem) :]) + 1 if last else 1
    return f"{stem}{sequence:04d}"


def retention_until(closed_on: dt.date) -> dt.date:
    years = settings.HARDSHIP_RETENTION_YEARS
    try:
        return closed_on.replace(year=closed_on.year + years)
    except ValueError:  # 29 February
        return closed_on.replace(year=closed_on.year + years, day=28)
