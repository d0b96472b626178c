"""The Excel import framework used by every import in SmartUnion.

upload (checked) → read (``reader``) → map columns by header synonyms (saved per kind) → normalise each
cell → validate each row → preview → confirm → apply in one transaction, idempotent by natural key →
rejected rows downloadable with the reason beside each.

An app defines an :class:`Importer` subclass (its fields, how to check a row against the database, how
to apply it through the app's services) and registers it; the views, the task, the management command
and the reports here work for every importer.

An importer may also classify its rows more finely than create/update (``classifications``: a roster
sync tells "moved" from "changed"), and report ``findings`` about the database as a whole once every row
is checked (people the file no longer lists). Both are stored with the job, shown on the preview and
written to the command's JSON report.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar

from django.db import transaction
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from ..normalise import NormaliseError, clean_text, header_key
from .reader import ImportFileError, SheetData, column_letter, read_sheet

ACTION_CREATE = "create"
ACTION_UPDATE = "update"
ACTION_UNCHANGED = "unchanged"
ACTION_SKIP = "skip"
APPLYING_ACTIONS = (ACTION_CREATE, ACTION_UPDATE)

STATUS_OK = "ok"
STATUS_WARNING = "warning"
STATUS_ERROR = "error"
STATUS_SKIPPED = "skipped"

ProgressCallback = Callable[[int, int], None]
QUOTED = re.compile(r"“([^”]*)”")


class MissingColumnsError(ImportFileError):
    """Required fields have no column. Carries the columns that were found, so that the user can say
    on the column mapping which of them feeds the missing field."""

    def __init__(self, message: str, *, sheet_name: str, header_row: int, columns: dict[int, dict[str, str]]):
        super().__init__(message)
        self.sheet_name = sheet_name
        self.header_row = header_row
        self.columns = columns


@dataclass(frozen=True)
class ImportField:
    name: str
    label: str | Promise
    synonyms: tuple[str, ...] = ()
    required: bool = False
    parse: Callable[[Any], Any] | None = None  # a normaliser from core.normalise; None = clean_text
    # Set for sensitive values: previews and reports store them masked.
    mask: Callable[[str], str] | None = None
    # How a normalised value reads in the preview (e.g. a stored code by its label).
    display: Callable[[Any], Any] | None = None
    help_text: str | Promise = ""
    example: str = ""

    def header_keys(self) -> set[str]:
        return {header_key(text) for text in (str(self.label), self.name, *self.synonyms)}


@dataclass
class Row:
    number: int  # Excel row number
    raw: dict[str, Any]  # field name → the cell as read
    values: dict[str, Any] = field(default_factory=dict)  # field name → normalised value (None if blank)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    action: str = ""
    changes: dict[str, list[Any]] = field(default_factory=dict)
    key: str = ""
    target: Any = None  # what the importer matched in the database (not stored)
    columns: dict[str, int] = field(default_factory=dict)  # field name → column index
    labels: dict[str, str] = field(default_factory=dict)  # field name → label
    cells: list[Any] = field(default_factory=list)  # the whole source row, for the error report
    classification: str = ""  # one of the importer's ``classifications`` (cleared on rejected rows)
    notes: list[str] = field(default_factory=list)  # what applying the row will also do (not a problem)

    @property
    def status(self) -> str:
        if self.errors:
            return STATUS_ERROR
        if self.warnings:
            return STATUS_WARNING
        return STATUS_OK

    def _where(self, field_name: str | None) -> str:
        if field_name is None or field_name not in self.columns:
            return _("Row %(row)d") % {"row": self.number}
        return "{cell} {label}".format(
            cell=f"{column_letter(self.columns[field_name])}{self.number}",
            label=self.labels.get(field_name, field_name),
        )

    def error(self, message: str, field_name: str | None = None) -> None:
        self.errors.append(f"{self._where(field_name)}：{message}")

    def warn(self, message: str, field_name: str | None = None) -> None:
        self.warnings.append(f"{self._where(field_name)}：{message}")

    def note(self, message: str) -> None:
        """Information about the row that is not a problem (e.g. what else applying it leads to)."""
        self.notes.append(message)

    @property
    def messages(self) -> list[str]:
        """The row's problems (errors, then warnings); ``notes`` are kept apart."""
        return [*self.errors, *self.warnings]


class Importer:
    """Subclass per import kind. ``check_row`` and ``apply_row`` are where the app's rules live."""

    kind: ClassVar[str]
    label: ClassVar[str | Promise]
    permission: ClassVar[str]
    fields: ClassVar[list[ImportField]]
    key_field: ClassVar[str]
    description: ClassVar[str | Promise] = ""
    # {code: label}, in the order the preview shows them; ``check_row`` sets ``row.classification``.
    classifications: ClassVar[dict[str, str | Promise]] = {}

    def __init__(self, *, user: Any = None) -> None:
        self.user = user

    # -- hooks ----------------------------------------------------------------------------------
    def prepare(self, rows: list[Row]) -> None:
        """Load whatever ``check_row`` needs in a few queries (never one query per row)."""

    def check_row(self, row: Row) -> None:
        """Cross-field and database checks; set ``row.action`` (create/update/unchanged) and
        ``row.changes`` ({field: [old, new]}). Report problems with ``row.error``/``row.warn``."""
        raise NotImplementedError

    def apply_row(self, row: Row) -> None:
        """Write one checked row through the app's services (only called for create/update)."""
        raise NotImplementedError

    def apply_order(self, rows: list[Row]) -> list[Row]:
        """The order rows are applied in (e.g. parents before children); file order by default."""
        return rows

    def after_apply(self, rows: list[Row]) -> None:
        """Hook after every row was applied, inside the same transaction."""

    def findings(self, rows: list[Row]) -> list[dict[str, Any]]:
        """What the file says about the database as a whole, once every row is checked (e.g. records the
        file no longer lists). Each finding is a JSON-able dict::

            {"code": "...", "title": "...", "text": "...", "total": n,
             "columns": [{"name": "...", "label": "..."}, ...],
             "items": [{<column name>: value, ..., "url": "/link/of/the/item/"}, ...]}

        Findings only inform: nothing is written because of them. A few queries in all."""
        return []

    # -- helpers ----------------------------------------------------------------------------------
    @classmethod
    def field(cls, name: str) -> ImportField:
        for candidate in cls.fields:
            if candidate.name == name:
                return candidate
        raise KeyError(name)

    @classmethod
    def classification_label(cls, code: str) -> str:
        label = cls.classifications.get(code)
        return str(label) if label is not None else code

    @classmethod
    def score_header(cls, keys: list[str]) -> int:
        known = set().union(*(f.header_keys() for f in cls.fields))
        return sum(1 for key in keys if key and key in known)

    def diff(self, row: Row, current: dict[str, Any]) -> dict[str, list[Any]]:
        """{field: [old, new]} between what the database holds and the row; sensitive values masked."""
        changes: dict[str, list[Any]] = {}
        for name, old in current.items():
            new = row.values.get(name)
            if new is None or new == old:
                continue
            field = self.field(name)
            if field.mask is not None:
                changes[name] = [field.mask(str(old)) if old else old, field.mask(str(new))]
            elif field.display is not None:
                changes[name] = [field.display(old) if old else old, field.display(new)]
            else:
                changes[name] = [old, new]
        return changes

    def masked(self, values: dict[str, Any]) -> dict[str, Any]:
        shown = {}
        for f in self.fields:
            value = values.get(f.name)
            if value is not None and f.mask is not None:
                value = f.mask(str(value))
            elif value is not None and f.display is not None:
                value = f.display(value)
            shown[f.name] = value
        return shown


_importers: dict[str, type[Importer]] = {}


def register_importer(importer: type[Importer]) -> type[Importer]:
    _importers[importer.kind] = importer
    return importer


def get_importer(kind: str) -> type[Importer]:
    try:
        return _importers[kind]
    except KeyError:
        raise LookupError(kind) from None


def importers_for_user(user: Any) -> list[type[Importer]]:
    return [
        imp for imp in _importers.values() if user.is_authenticated and user.has_unit_perm(imp.permission)
    ]


def user_may_import_anything(user: Any) -> bool:
    return bool(importers_for_user(user))


# -- the pipeline ---------------------------------------------------------------------------------


@dataclass
class Outcome:
    sheet_name: str
    header_row: int
    columns: dict[int, dict[str, str]]  # index → {"header", "field"}
    rows: list[Row]
    skipped: list[tuple[int, str]]
    applied: bool = False
    classifications: tuple[str, ...] = ()  # the importer's classification codes, in order
    findings: list[dict[str, Any]] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, Any]:
        statuses = Counter(row.status for row in self.rows)
        actions = Counter(row.action for row in self.rows if row.status != STATUS_ERROR)
        counts: dict[str, Any] = {
            "total": len(self.rows),
            STATUS_OK: statuses[STATUS_OK],
            STATUS_WARNING: statuses[STATUS_WARNING],
            STATUS_ERROR: statuses[STATUS_ERROR],
            STATUS_SKIPPED: len(self.skipped),
            ACTION_CREATE: actions[ACTION_CREATE],
            ACTION_UPDATE: actions[ACTION_UPDATE],
            ACTION_UNCHANGED: actions[ACTION_UNCHANGED],
            ACTION_SKIP: actions[ACTION_SKIP],
        }
        if self.classifications:
            classified = Counter(row.classification for row in self.rows if row.classification)
            counts["classifications"] = {code: classified[code] for code in self.classifications}
        return counts


def map_columns(
    importer: type[Importer], headers: list[str], saved: dict[str, str]
) -> dict[int, dict[str, str]]:
    """Decide which field each column feeds. A mapping saved for the kind beats the built-in synonyms;
    a field fed by two columns keeps the first."""
    by_key: dict[str, str] = {}
    for f in importer.fields:
        for key in f.header_keys():
            by_key.setdefault(key, f.name)
    taken: set[str] = set()
    columns: dict[int, dict[str, str]] = {}
    for index, header in enumerate(headers):
        key = header_key(header)
        if not key:
            continue
        field_name = saved[key] if key in saved else by_key.get(key, "")
        if field_name and field_name in taken:
            field_name = ""
        if field_name:
            taken.add(field_name)
        columns[index] = {"header": header, "field": field_name}
    return columns


def missing_required(importer: type[Importer], columns: dict[int, dict[str, str]]) -> list[str]:
    mapped = {col["field"] for col in columns.values()}
    return [str(f.label) for f in importer.fields if f.required and f.name not in mapped]


def _mask_quoted(message: str, mask: Callable[[str], str]) -> str:
    return QUOTED.sub(lambda match: f"“{mask(match.group(1))}”", message)


def _normalise(importer: type[Importer], row: Row) -> None:
    for f in importer.fields:
        value = row.raw.get(f.name)
        if value is None or clean_text(value) == "":
            row.values[f.name] = None
            if f.required:
                row.error(_("this cell is empty; fill it in."), f.name)
            continue
        try:
            row.values[f.name] = f.parse(value) if f.parse else clean_text(value)
        except NormaliseError as exc:
            row.values[f.name] = None
            message = str(exc)
            if f.mask is not None:
                # Messages quote the value (“…”); a sensitive one is quoted masked, since messages are
                # stored, shown and exported in the clear.
                message = _mask_quoted(message, f.mask)
            row.error(message, f.name)


def _mark_duplicates(importer: type[Importer], rows: list[Row]) -> None:
    """Rows sharing a natural key: identical ones are imported once (warning); conflicting ones are all
    rejected, because the file does not say which one is right."""
    groups: dict[Any, list[Row]] = defaultdict(list)
    for row in rows:
        key = row.values.get(importer.key_field)
        if key is not None and not row.errors:
            groups[key].append(row)
    label = str(importer.field(importer.key_field).label)
    for key, group in groups.items():
        if len(group) < 2:
            continue
        first = group[0]
        if all(row.values == first.values for row in group[1:]):
            for row in group[1:]:
                row.action = ACTION_SKIP
                row.warn(_("the same as row %(row)d; imported once.") % {"row": first.number})
        else:
            numbers = "、".join(str(row.number) for row in group)
            differing = "、".join(
                str(f.label)
                for f in importer.fields
                if len({_comparable(row.values.get(f.name)) for row in group}) > 1
            )
            for row in group:
                row.error(
                    _(
                        "%(label)s “%(key)s” appears in rows %(rows)s with different contents (%(fields)s); "
                        "keep only the right one."
                    )
                    % {"label": label, "key": key, "rows": numbers, "fields": differing},
                    importer.key_field,
                )


def _comparable(value: Any) -> str:
    return "" if value is None else str(value)


def run_import(
    importer: Importer,
    data: bytes,
    *,
    saved_mapping: dict[str, str] | None = None,
    apply: bool = False,
    progress: ProgressCallback | None = None,
) -> Outcome:
    """Read, check and (with ``apply``) write. Applying re-checks everything inside the transaction, so a
    preview that went stale while the user looked at it cannot write outdated data."""
    kind = type(importer)
    sheet: SheetData = read_sheet(data, score_header=kind.score_header, min_score=1)
    columns = map_columns(kind, sheet.headers, saved_mapping or {})
    missing = missing_required(kind, columns)
    if missing:
        raise MissingColumnsError(
            _(
                "Required columns are missing: %(columns)s. Add them to the header row (row %(row)d) or match them "
                "on the column mapping."
            )
            % {"columns": "、".join(missing), "row": sheet.header_row},
            sheet_name=sheet.sheet_name,
            header_row=sheet.header_row,
            columns=columns,
        )
    field_columns = {col["field"]: index for index, col in columns.items() if col["field"]}
    labels = {f.name: str(f.label) for f in kind.fields}
    rows: list[Row] = []
    for number, cells in sheet.rows:
        raw = {name: cells[index] for name, index in field_columns.items()}
        rows.append(Row(number=number, raw=raw, columns=field_columns, labels=labels, cells=cells))

    total = len(rows)
    for row in rows:
        _normalise(kind, row)
        if row.values.get(kind.key_field) is not None:
            row.key = str(row.values[kind.key_field])
    _mark_duplicates(kind, rows)

    outcome = Outcome(
        sheet.sheet_name,
        sheet.header_row,
        columns,
        rows,
        sheet.skipped,
        classifications=tuple(kind.classifications),
    )

    def check_all() -> None:
        importer.prepare([row for row in rows if not row.errors and row.action != ACTION_SKIP])
        for done, row in enumerate(rows, start=1):
            if not row.errors and row.action != ACTION_SKIP:
                importer.check_row(row)
            if row.errors:
                row.classification = ""  # a rejected row is rejected, whatever it would have been
                row.notes = []
            if progress and (done % 200 == 0 or done == total):
                progress(done, total * (2 if apply else 1))
        outcome.findings = importer.findings(rows)

    if not apply:
        check_all()
        return outcome
    with transaction.atomic():
        check_all()
        for done, row in enumerate(importer.apply_order(rows), start=1):
            if row.status != STATUS_ERROR and row.action in APPLYING_ACTIONS:
                importer.apply_row(row)
            if progress and (done % 200 == 0 or done == total):
                progress(total + done, total * 2)
        importer.after_apply(rows)
    outcome.applied = True
    return outcome


def outcome_report(importer: Importer, outcome: Outcome, *, filename: str) -> dict[str, Any]:
    """The JSON report of the management commands: every source row with its status and messages."""
    return {
        "kind": importer.kind,
        "file": filename,
        "sheet": outcome.sheet_name,
        "header_row": outcome.header_row,
        "applied": outcome.applied,
        "columns": [
            {"column": column_letter(index), "header": col["header"], "field": col["field"] or None}
            for index, col in sorted(outcome.columns.items())
        ],
        "totals": outcome.counts,
        "rows": [
            {
                "row": row.number,
                "status": row.status,
                "action": row.action if row.status != STATUS_ERROR else "reject",
                "key": row.key,
                "classification": row.classification or None,
                "values": importer.masked(row.values),
                "changes": row.changes,
                "messages": row.messages,
                "notes": row.notes,
            }
            for row in outcome.rows
        ],
        "skipped": [{"row": number, "reason": reason} for number, reason in outcome.skipped],
        "classifications": {code: str(label) for code, label in importer.classifications.items()},
        "findings": outcome.findings,
    }
