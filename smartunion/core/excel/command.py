"""Base class of the ``manage.py <app>_import_<kind> FILE [--apply] [--report out.json]`` commands, so an
import can run unattended (e.g. a nightly HR roster sync) with the same checks as the web preview. The
JSON report holds every source row (classification, normalised values, messages), the totals (by
classification too) and the importer's findings."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from ..audit import audit
from ..services import import_max_bytes, saved_mapping
from .importing import get_importer, outcome_report, run_import
from .reader import ImportFileError, check_upload


class BaseImportCommand(BaseCommand):
    kind: str = ""

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the .xlsx workbook to import")
        parser.add_argument("--apply", action="store_true", help="write the rows (default: check only)")
        parser.add_argument("--report", help="write a JSON report of every source row to this path")
        parser.add_argument(
            "--user", help="login (工号) of the person on whose behalf the import runs; default: the system"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        importer_class = get_importer(self.kind)
        user = None
        if options["user"]:
            model = get_user_model()
            try:
                user = model.objects.get(**{model.USERNAME_FIELD: options["user"]})
            except model.DoesNotExist:
                raise CommandError(f"No user with login {options['user']!r}.") from None
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"{path} does not exist.")
        data = path.read_bytes()
        importer = importer_class(user=user)
        try:
            check_upload(path.name, data, import_max_bytes())
            outcome = run_import(
                importer, data, saved_mapping=saved_mapping(self.kind), apply=options["apply"]
            )
        except ImportFileError as exc:
            raise CommandError(str(exc)) from exc
        except ValidationError as exc:  # a service refused a row while applying: nothing was written
            raise CommandError("Nothing was imported: " + "; ".join(exc.messages)) from exc
        report = outcome_report(importer, outcome, filename=path.name)
        if outcome.applied:
            audit(
                actor=user,
                action="core.import.applied",
                changes={"kind": self.kind, "file": path.name, "via": "command", **outcome.counts},
            )
        if options["report"]:
            Path(options["report"]).write_text(json.dumps(report, ensure_ascii=False, indent=2, default=str))
        totals = report["totals"]
        verb = "imported" if outcome.applied else "checked (nothing written; add --apply to import)"
        self.stdout.write(
            f"{path.name}: {totals['total']} rows {verb}: {totals['ok']} ok, {totals['warning']} with warnings, "
            f"{totals['error']} rejected, {totals['skipped']} skipped; "
            f"{totals['create']} new, {totals['update']} changed, {totals['unchanged']} unchanged."
        )
        classified = totals.get("classifications") or {}
        if classified:
            labels = report["classifications"]
            self.stdout.write(
                "  " + ", ".join(f"{labels.get(code, code)}: {count}" for code, count in classified.items())
            )
        for row in report["rows"]:
            if row["status"] == "error":
                self.stdout.write(f"  row {row['row']}: " + " | ".join(row["messages"]))
        for finding in report["findings"]:
            self.stdout.write(f"{finding.get('title', finding.get('code'))}: {finding.get('total', 0)}")
            if finding.get("text"):
                self.stdout.write(f"  {finding['text']}")
