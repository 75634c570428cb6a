"""``cbmhub meetings import-package PATH [--dry-run] [--json]``: import a circulated package.

The file is split (``meetings/package.py``) into the note (symbol, language versions, place
and date) and its enclosures; ``--dry-run`` shows the split and stores nothing, ``--json``
prints it as JSON (``symbol``, ``versions`` with ``language``, ``enclosures`` with ``title``
and ``paragraphs``). Without ``--dry-run`` the note and one document and revision per
enclosure are stored under ``--organisation`` (default CICA), in the negotiation titled
``--negotiation`` (opened when missing), as the system. Exit status 2 when the input is
unusable.
"""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from cbmhub.core import roles
from cbmhub.core.errors import DomainError
from cbmhub.directory.models import Organisation
from cbmhub.meetings import package, services
from cbmhub.negotiations import services as negotiation_services
from cbmhub.negotiations.models import Negotiation


class Command(BaseCommand):
    help = "Meetings: import a circulated package (a note and its enclosures)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import-package", help="Split a package and store it.")
        imp.add_argument("path", type=Path)
        imp.add_argument("--dry-run", action="store_true", help="Show the split, store nothing.")
        imp.add_argument("--json", action="store_true", help="Print the split as JSON.")
        imp.add_argument("--organisation", default="CICA", help="Acronym (default CICA).")
        imp.add_argument("--negotiation", default="", help="Title of the negotiation to use.")

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        getattr(self, f"do_{action.replace('-', '_')}")(**options)

    def do_import_package(self, *, path: Path, dry_run: bool, json: bool, **options: Any) -> None:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"{path}: {error}", returncode=2) from None
        split = package.split_package(text)
        if not split.symbol or not split.enclosures:
            raise CommandError(
                f"{path}: no note symbol (№ …) or no enclosure found; not a package.",
                returncode=2,
            )
        if not dry_run:
            self._store(split, path, options["organisation"], options["negotiation"])
        self._print(split, as_json=json, stored=not dry_run)

    def _store(self, split: package.Package, path: Path, acronym: str, title: str) -> None:
        organisation = Organisation.objects.filter(acronym__iexact=acronym).first()
        if organisation is None:
            raise CommandError(f"--organisation: no organisation {acronym!r}", returncode=2)
        title = title or f"Documents forwarded under {split.symbol}"
        try:
            negotiation = Negotiation.objects.filter(
                organisation=organisation, title=title
            ).first() or negotiation_services.negotiation_create(
                actor=roles.SYSTEM, organisation=organisation, title=title
            )
            services.package_import(
                actor=roles.SYSTEM,
                organisation=organisation,
                negotiation=negotiation,
                symbol=split.symbol,
                place=split.place or "-",
                date=datetime.date.fromisoformat(split.date)
                if split.date
                else timezone.localdate(),
                versions=[
                    services.VersionInput(
                        v.language, v.text, "original" if i == 0 else "translation"
                    )
                    for i, v in enumerate(split.versions)
                ],
                enclosures=[(e.title, e.kind, e.text) for e in split.enclosures],
                source_name=path.name,
            )
        except DomainError as error:
            raise CommandError(error.message, returncode=2) from None

    def _print(self, split: package.Package, *, as_json: bool, stored: bool) -> None:
        if as_json:
            self.stdout.write(
                json.dumps({**split.to_json(), "stored": stored}, ensure_ascii=False, indent=2)
            )
            return
        self.stdout.write(f"Note {split.symbol} ({split.place}, {split.date})")
        for version in split.versions:
            self.stdout.write(f"  version: {version.language} ({len(version.text)} characters)")
        for index, enclosure in enumerate(split.enclosures, start=1):
            self.stdout.write(
                f"  enclosure {index}: {enclosure.title} [{enclosure.kind}, "
                f"{enclosure.paragraphs} labelled paragraphs]"
            )
        self.stdout.write("Stored." if stored else "Dry run: nothing stored.")
