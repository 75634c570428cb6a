"""Export the directory as CSV (one kind) or JSON (everything), in the form import reads."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cbmhub.directory import importexport


class Command(BaseCommand):
    help = (
        "Export the directory. JSON holds every kind in one document; CSV holds one kind. "
        "The output can be imported again (directory_import)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--format", choices=importexport.FORMATS, default="json")
        parser.add_argument(
            "--kind",
            choices=["all", *importexport.KINDS],
            default=None,
            help="What to export (JSON default: all; CSV default: points_of_contact).",
        )
        parser.add_argument(
            "--output",
            "-o",
            default="-",
            help="The file to write; - (default) writes standard output.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        fmt = options["format"]
        kind = options["kind"] or ("all" if fmt == "json" else "points_of_contact")
        try:
            content = importexport.export(fmt=fmt, kind=kind)
        except importexport.ImportFormatError as exc:
            raise CommandError(str(exc)) from None
        if options["output"] == "-":
            self.stdout.write(content, ending="")
        else:
            Path(options["output"]).write_text(content, encoding="utf-8")
