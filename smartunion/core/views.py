from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from . import progress, selectors, services
from .audit import action_label, audit
from .excel.exporting import SheetColumn, write_workbook, xlsx_response
from .excel.importing import get_importer, importers_for_user
from .excel.reader import ImportFileError
from .forms import AuditFilterForm, ImportUploadForm
from .models import ImportJob, ImportRow
from .permissions import require_perm
from .tables import Column, Table, render_table


class AuditTable(Table):
    columns = [
        Column("created_at", gettext_lazy("Time"), sort="created_at", width=18),
        Column("actor_label", gettext_lazy("Actor"), width=18),
        Column("action", gettext_lazy("Action"), value=lambda e: action_label(e.action), width=22),
        Column(
            "target_type",
            gettext_lazy("Object type"),
            value=lambda e: e.target_type.name if e.target_type else "",
        ),
        Column("target_label", gettext_lazy("Object"), width=24),
        Column(
            "unit",
            gettext_lazy("Unit"),
            value=lambda e: e.unit.name if e.unit_id and e.unit else "",
            width=18,
        ),
        Column("changes", gettext_lazy("Changes"), value=lambda e: _format_changes(e.changes), width=50),
        Column("sensitive", gettext_lazy("Sensitive"), on_screen=False),
        Column("ip_address", gettext_lazy("IP address"), width=16),
    ]
    default_sort = "-created_at"
    page_size = 50
    export_name = gettext_lazy("Audit log")
    unit_path = None


def _format_changes(changes: dict[str, Any]) -> str:
    parts = []
    for key, value in (changes or {}).items():
        if isinstance(value, list) and len(value) == 2:
            parts.append(f"{key}: {value[0]} → {value[1]}")
        else:
            parts.append(f"{key}: {value}")
    return "; ".join(parts)


@require_perm("core.audit.view")
def audit_list(request: HttpRequest) -> HttpResponseBase:
    form = AuditFilterForm(request.GET or None)
    filters: dict[str, Any] = {}
    if form.is_valid():
        data = form.cleaned_data
        filters = {
            "actor": data["actor"],
            "action": data["action"],
            "target_type": data["target_type"].pk if data["target_type"] else None,
            "target_id": data["target_id"],
            "date_from": data["date_from"],
            "date_to": data["date_to"],
            "sensitive_only": data["sensitive_only"],
        }
    entries = selectors.audit_list_for_user(user=request.user, **filters)
    return render_table(
        request,
        AuditTable(request, entries),
        "core/audit_list.html",
        {
            "form": form,
            "breadcrumbs": [(_("Audit log"), "")],
            "empty_title": _("No audit entries match"),
            "empty_hint": _("Widen the date range or clear the filters."),
        },
        export_title=_("Audit log"),
    )


# -- imports --------------------------------------------------------------------------------------


def _importer_or_404(kind: str, user: Any) -> Any:
    try:
        importer = get_importer(kind)
    except LookupError:
        raise Http404 from None
    if not user.has_unit_perm(importer.permission):
        raise PermissionDenied
    return importer


@login_required
def import_list(request: HttpRequest) -> HttpResponse:
    available = importers_for_user(request.user)
    if not available:
        raise PermissionDenied
    jobs = selectors.import_jobs_for_user(user=request.user)[:100]
    labels = {imp.kind: imp.label for imp in available}
    return render(
        request,
        "core/import_list.html",
        {
            "jobs": jobs,
            "importers": available,
            "labels": labels,
            "breadcrumbs": [(_("Import records"), "")],
        },
    )


@login_required
def import_new(request: HttpRequest, kind: str) -> HttpResponse:
    importer = _importer_or_404(kind, request.user)
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > services.import_max_bytes():
            form.add_error(
                "file",
                _("The file is %(size).1f MB; the largest file accepted is %(max)d MB.")
                % {"size": upload.size / 1024 / 1024, "max": services.import_max_bytes() // 1024 // 1024},
            )
        else:
            try:
                job = services.import_job_create(
                    user=request.user, kind=kind, filename=upload.name, data=upload.read()
                )
            except ImportFileError as exc:
                form.add_error("file", str(exc))
            else:
                return redirect("core:import_detail", pk=job.pk)
    return render(
        request,
        "core/import_new.html",
        {
            "form": form,
            "importer": importer,
            "max_mb": services.import_max_bytes() // 1024 // 1024,
            "breadcrumbs": [(_("Import records"), reverse("core:import_list")), (importer.label, "")],
        },
    )


FINDING_ITEMS_SHOWN = 50  # the rest is in the finding's Excel download


def _job_context(request: HttpRequest, job: ImportJob) -> dict[str, Any]:
    importer = get_importer(job.kind)
    status_filter = request.GET.get("status", "")
    if status_filter not in {"", *ImportRow.Status.values}:
        status_filter = ""
    class_filter = request.GET.get("class", "")
    if class_filter not in importer.classifications:
        class_filter = ""
    if class_filter:
        status_filter = ""  # the two kinds of tabs are alternatives
    rows = selectors.import_rows(job=job, status=status_filter, classification=class_filter)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    busy = job.status in {ImportJob.Status.UPLOADED, ImportJob.Status.PREVIEWING, ImportJob.Status.APPLYING}
    classified = (job.counts or {}).get("classifications") or {}
    findings = [
        {**finding, "shown": finding.get("items", [])[:FINDING_ITEMS_SHOWN]}
        for finding in (job.findings or [])
        if isinstance(finding, dict)
    ]
    filter_query = (
        f"class={class_filter}" if class_filter else f"status={status_filter}" if status_filter else ""
    )
    return {
        "job": job,
        "importer": importer,
        "fields": importer.fields,
        "columns": sorted(((int(i), c) for i, c in job.columns.items()), key=lambda item: item[0]),
        "page": page,
        "status_filter": status_filter,
        "class_filter": class_filter,
        "filter_query": filter_query,
        "class_labels": {code: str(label) for code, label in importer.classifications.items()},
        "class_tabs": [
            (code, str(label), classified.get(code, 0)) for code, label in importer.classifications.items()
        ]
        if classified
        else [],
        "findings": findings,
        "busy": busy,
        "progress": progress.get_progress(f"import:{job.pk}") if busy else None,
        "counts": job.counts,
        "can_apply": job.status == ImportJob.Status.PREVIEWED
        and bool(job.counts.get("create") or job.counts.get("update")),
        "breadcrumbs": [(_("Import records"), reverse("core:import_list")), (job.filename, "")],
    }


@login_required
def import_detail(request: HttpRequest, pk: str) -> HttpResponseBase:
    job = selectors.import_job_get_for_user(user=request.user, pk=pk)
    if request.GET.get("finding"):
        return _finding_download(job, request.GET["finding"])
    context = _job_context(request, job)
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "core/import_detail.html#job", context)
    return render(request, "core/import_detail.html", context)


def _finding_download(job: ImportJob, code: str) -> HttpResponseBase:
    """One finding's whole list (the page shows its first lines) as a workbook."""
    finding = selectors.import_finding(job=job, code=code)
    if finding is None:
        raise Http404
    columns = [col for col in finding.get("columns", []) if isinstance(col, dict) and col.get("name")]

    def write(handle: Any) -> None:
        write_workbook(
            handle,
            sheet_title=str(finding.get("title", ""))[:31] or _("Findings"),
            columns=[SheetColumn(str(col.get("label", col["name"])), 18) for col in columns],
            rows=([item.get(col["name"], "") for col in columns] for item in finding.get("items", [])),
            title=f"{finding.get('title', '')} — {job.filename}",
            notes=[str(finding["text"])] if finding.get("text") else [],
        )

    return xlsx_response(f"{finding.get('title') or code}-{job.filename.rsplit('.', 1)[0]}.xlsx", write)


@login_required
@require_POST
def import_remap(request: HttpRequest, pk: str) -> HttpResponse:
    job = selectors.import_job_get_for_user(user=request.user, pk=pk)
    _importer_or_404(job.kind, request.user)
    mapping = {
        key.removeprefix("col_"): str(value) for key, value in request.POST.items() if key.startswith("col_")
    }
    try:
        services.import_job_remap(job=job, user=request.user, mapping=mapping)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The column mapping was saved and the file is being checked again."))
    return redirect("core:import_detail", pk=job.pk)


@login_required
@require_POST
def import_apply(request: HttpRequest, pk: str) -> HttpResponse:
    job = selectors.import_job_get_for_user(user=request.user, pk=pk)
    _importer_or_404(job.kind, request.user)
    try:
        services.import_job_apply(job=job, user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("core:import_detail", pk=job.pk)


@login_required
def import_errors(request: HttpRequest, pk: str) -> HttpResponseBase:
    """The rejected rows as they were uploaded, with the reasons beside each, ready to fix and re-upload."""
    job = selectors.import_job_get_for_user(user=request.user, pk=pk)
    _importer_or_404(job.kind, request.user)
    # The original cells may hold ID numbers: the download is logged as access to sensitive data.
    audit(actor=request.user, action="core.import.rejected_downloaded", target=job, sensitive=True)
    headers = [job.columns[key]["header"] for key in sorted(job.columns, key=int)]
    indexes = sorted(int(key) for key in job.columns)
    rejected = job.rows.filter(status=ImportRow.Status.ERROR).order_by("row_number")

    def rows():  # type: ignore[no-untyped-def]
        for row in rejected.iterator(chunk_size=1000):
            cells = json.loads(row.raw) if row.raw else []
            yield [
                row.row_number,
                "\n".join(row.messages),
                *[cells[i] if i < len(cells) else "" for i in indexes],
            ]

    def write(handle: Any) -> None:
        write_workbook(
            handle,
            sheet_title=_("Rejected rows"),
            columns=[SheetColumn(_("Source row"), 10), SheetColumn(_("Reason"), 60)]
            + [SheetColumn(header, 16) for header in headers],
            rows=rows(),
            title=_("Rejected rows of %(file)s") % {"file": job.filename},
            notes=[
                _("Fix the cells named in the reason column, delete the first two columns, and upload again.")
            ],
        )

    return xlsx_response(f"{_('rejected-rows')}-{job.filename.rsplit('.', 1)[0]}.xlsx", write)


@login_required
def import_template(request: HttpRequest, kind: str) -> HttpResponseBase:
    """A blank workbook with the expected header and one example row."""
    importer = _importer_or_404(kind, request.user)

    def write(handle: Any) -> None:
        write_workbook(
            handle,
            sheet_title=str(importer.label),
            columns=[SheetColumn(f"{f.label}{'*' if f.required else ''}", 18) for f in importer.fields],
            rows=[],
            title=str(importer.label),
            notes=[
                _("Columns marked * are required; the title and these notes may stay above the header."),
                *(
                    f"{f.label}：{f.help_text or ''}{(' ' + _('e.g. %(example)s') % {'example': f.example}) if f.example else ''}"
                    for f in importer.fields
                    if f.help_text or f.example
                ),
            ],
        )

    return xlsx_response(f"{importer.label}-{_('template')}.xlsx", write)
