"""``cbmhub measures import-outline|import|export|remind``: catalogues and reminders from the
command line (run as the system: ``core.roles.SYSTEM``).

- ``import-outline PATH --catalogue CODE [--organisation ACRONYM [--title T]] [--dry-run]
  [--json]``: read a numbered outline (a work programme as extracted from a PDF,
  ``measures/outline.py``) into the catalogue (created under the organisation when missing). Prints
  the items and diagnostics (``--json``: ``{"items": [{"code", "parent", "text", "line"}],
  "diagnostics": [{"line", "message"}], "repairs": [...], "counts": {...}}``); ``--dry-run``
  writes nothing. Exit status 1 when the import is refused, 2 when the file is unusable.
- ``import PATH --catalogue CODE [--format csv|json] [--dry-run]`` and ``export --catalogue
  CODE [--format csv|json]``: the catalogue's measures as CSV or JSON (``importexport.py``).
- ``warn``: open (or update) an early-warning alert for every signal past its threshold.
- ``remind [--today YYYY-MM-DD] [--days N]``: e-mail the focal points of every state whose
  submission of an open cycle is due within N days (default 14) or overdue; each reminder once.
"""

from __future__ import annotations

import datetime
import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cbmhub.core.roles import SYSTEM
from cbmhub.directory.models import Organisation
from cbmhub.measures import importexport, reminders, services, warning
from cbmhub.measures.models import Catalogue


class Command(BaseCommand):
    help = "Measures: import a catalogue outline, import or export measures, send reminders."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        outline = sub.add_parser("import-outline", help="Import a numbered outline (text).")
        outline.add_argument("path", metavar="PATH")
        outline.add_argument("--catalogue", required=True, metavar="CODE")
        outline.add_argument("--dry-run", action="store_true")
        outline.add_argument("--json", action="store_true")
        outline.add_argument(
            "--organisation",
            metavar="ACRONYM",
            help="create the catalogue under this organisation when it does not exist",
        )
        outline.add_argument("--title", help="the title of a catalogue created (default: CODE)")
        data = sub.add_parser("import", help="Import measures from CSV or JSON.")
        data.add_argument("path", metavar="PATH")
        data.add_argument("--catalogue", required=True, metavar="CODE")
        data.add_argument("--format", choices=["csv", "json"], default="csv")
        data.add_argument("--dry-run", action="store_true")
        export = sub.add_parser("export", help="Export measures as CSV or JSON.")
        export.add_argument("--catalogue", required=True, metavar="CODE")
        export.add_argument("--format", choices=["csv", "json"], default="csv")
        remind = sub.add_parser("remind", help="Send cycle reminders that are due.")
        remind.add_argument("--today", type=datetime.date.fromisoformat)
        remind.add_argument("--days", type=int, default=14)
        sub.add_parser("warn", help="Raise early-warning alerts past their thresholds.")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "remind":
            sent = reminders.send_due(
                actor=SYSTEM, today=options.get("today"), days=options["days"]
            )
            self.stdout.write(f"{sent} reminder(s) sent.")
            return
        if action == "warn":
            for organisation in Organisation.objects.all():
                count = warning.raise_alerts(organisation)
                self.stdout.write(f"{organisation.acronym}: {count} signal(s) past threshold.")
            return
        catalogue = self.catalogue(options)
        if action == "export":
            export = (
                importexport.export_json if options["format"] == "json" else importexport.export_csv
            )
            self.stdout.write(export(catalogue), ending="")
            return
        self.import_file(catalogue, options, outline=action == "import-outline")

    def catalogue(self, options: dict[str, Any]) -> Catalogue:
        code = options["catalogue"]
        catalogue = Catalogue.objects.filter(code=code).first()
        if catalogue is not None:
            return catalogue
        acronym = options.get("organisation")
        organisation = Organisation.objects.filter(acronym=acronym).first() if acronym else None
        if organisation is None:
            raise CommandError(
                f"No catalogue with the code {code!r} (give --organisation to create it)."
            )
        if options.get("dry_run"):
            return Catalogue(organisation=organisation, code=code, title=code)
        try:
            return services.catalogue_create(
                actor=SYSTEM,
                organisation=organisation,
                code=code,
                title=options.get("title") or code,
            )
        except services.MeasuresError as error:
            raise CommandError(f"{error.field}: {error.message}") from None

    def read(self, path: str) -> bytes:
        try:
            return sys.stdin.buffer.read() if path == "-" else Path(path).read_bytes()
        except OSError as exc:
            self.stderr.write(f"cannot read {path}: {exc.strerror}")
            sys.exit(2)

    def import_file(self, catalogue: Catalogue, options: dict[str, Any], *, outline: bool) -> None:
        data = self.read(options["path"])
        try:
            if outline:
                items, parsed = importexport.parse_outline_items(importexport.decode(data))
                report: dict[str, Any] = parsed.as_json()
            else:
                items = importexport.parse(data, fmt=options["format"])
                report = {
                    "items": [
                        {"code": i.code, "parent": i.parent or None, "text": i.text} for i in items
                    ]
                }
            if not options["dry_run"]:
                report["applied"] = services.catalogue_import_items(
                    actor=SYSTEM, catalogue=catalogue, items=items
                )
        except services.MeasuresError as error:
            self.stderr.write(f"refused: {error.message}")
            for detail in error.details:
                self.stderr.write(
                    f"  {detail.get('row', '')} {detail.get('field', '')}: {detail['message']}"
                )
            sys.exit(1)
        if options.get("json"):
            self.stdout.write(json.dumps(report, ensure_ascii=False, indent=2))
            return
        self.print_report(report, dry_run=options["dry_run"])

    def print_report(self, report: dict[str, Any], *, dry_run: bool) -> None:
        for item in report["items"]:
            self.stdout.write(f"{item['code']}\t{item['parent'] or '-'}\t{item['text']}")
        for diagnostic in report.get("diagnostics", []):
            self.stdout.write(f"line {diagnostic['line']}: {diagnostic['message']}")
        if dry_run:
            self.stdout.write(f"{len(report['items'])} item(s); dry run, nothing written.")
        else:
            applied = report["applied"]
            self.stdout.write(f"{applied['created']} created, {applied['updated']} updated.")
