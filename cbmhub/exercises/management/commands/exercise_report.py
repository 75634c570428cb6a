"""`cbmhub exercise_report RUN -o FILE [--format pdf|docx] [--language ru]`: write a run's
after-action report (the same Publication as the console's one-click report). Run on the
server by its operator. Errors get one line on standard error and exit status 2."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from cbmhub.core import publishing
from cbmhub.exercises import report
from cbmhub.exercises.models import Run


class Command(BaseCommand):
    help = "Write an exercise run's after-action report as PDF or DOCX."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("run", type=int, help="the run's id")
        parser.add_argument("-o", "--output", required=True, help="the file to write")
        parser.add_argument("--format", choices=["pdf", "docx"], help="default: from -o")
        parser.add_argument("--language", default="en", help="the report's language")

    def handle(self, *args: Any, **options: Any) -> None:
        run = Run.objects.select_related("scenario").filter(pk=options["run"]).first()
        if run is None:
            raise CommandError(f"run {options['run']}: no such run", returncode=2)
        output = Path(options["output"])
        fmt = options["format"] or ("docx" if output.suffix.lower() == ".docx" else "pdf")
        with translation.override(options["language"]):
            pub = report.run_report(run)
            data = publishing.render_pdf(pub) if fmt == "pdf" else publishing.render_docx(pub)
        try:
            output.write_bytes(data)
        except OSError as error:
            raise CommandError(f"{output}: {error.strerror}", returncode=2) from None
        self.stdout.write(f"{output}: {fmt.upper()}, {len(data)} bytes")
