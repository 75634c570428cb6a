"""Import the directory from a CSV or JSON file; nothing is applied if anything is wrong."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser

from cbmhub.directory import importexport


class Command(BaseCommand):
    help = (
        "Import organisations, states, bodies, memberships and points of contact from CSV (one "
        "kind per file) or JSON. Every row is checked first; problems are printed one per line "
        "and nothing is applied. See docs/directory-import.md."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="The file to import; - reads standard input.")
        parser.add_argument(
            "--format",
            choices=importexport.FORMATS,
            help="csv or json (default: from the file name, else csv).",
        )
        parser.add_argument(
            "--kind",
            choices=importexport.KINDS,
            default="points_of_contact",
            help="CSV only: what the rows are (default: points_of_contact).",
        )
        parser.add_argument(
            "--user",
            required=True,
            help="Username the changes are made as (recorded in the history); "
            "a secretariat officer or an operator.",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Check everything and report; apply nothing."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        user = get_user_model().objects.filter(username=options["user"]).first()
        if user is None:
            raise CommandError(f"No user named {options['user']!r}.")
        path = options["file"]
        fmt = options["format"] or ("json" if path.lower().endswith(".json") else "csv")
        limit = importexport.IMPORT_MAX_BYTES
        try:
            # One byte past the limit is enough to refuse it, without reading the rest.
            with sys.stdin.buffer if path == "-" else Path(path).open("rb") as stream:
                data = stream.read(limit + 1)
            text = data.decode("utf-8-sig")
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}.") from None
        except UnicodeDecodeError as exc:
            raise CommandError(f"{path} is not UTF-8 text: {exc}.") from None
        if len(data) > limit:
            raise CommandError(f"{path} is larger than the limit of {limit} bytes.", returncode=1)
        try:
            result = importexport.import_directory(
                actor=user,
                text=text,
                fmt=fmt,
                kind=options["kind"],
                dry_run=options["dry_run"],
            )
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from None
        if result.problems:
            for problem in result.problems:
                self.stderr.write(str(problem))
            raise CommandError(
                f"{len(result.problems)} problem(s) in {path}; nothing was applied.",
                returncode=1,
            )
        for kind, counts in result.summary.items():
            if any(counts.values()):
                self.stdout.write(
                    f"{kind}: {counts['created']} created, {counts['updated']} updated, "
                    f"{counts['unchanged']} unchanged"
                )
        if options["verbosity"] > 1:
            held = result.timings.get("transaction")
            self.stdout.write(
                f"checked in {result.timings.get('plan', 0):.2f} s"
                + (f"; write transaction held {held:.2f} s" if held is not None else "")
            )
        self.stdout.write("Dry run: nothing was applied." if result.dry_run else "Imported.")
