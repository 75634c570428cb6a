"""`cbmhub revision_import --document ID|SYMBOL FILE --kind rev --number 3`: keep a text file
as a new revision of a document, exactly as the upload form and the API do.
`cbmhub revision_import --negotiation ID RESOLUTION.xml`: an Akoma Ntoso file (a UN
resolution) as a document of that negotiation (found or made by its symbol) and its revision.

FILE is a UTF-8 text file, a Word file (.docx, tracked changes accepted), an Akoma Ntoso file
(.xml), or `-` for standard input. The document is named by its id or its
symbol (`SWG/OI/1262`, or `CICA:SWG/OI/1262` where two organisations use the same symbol).
Run on the server by its operator, the import is made by the system actor
(`core.roles.SYSTEM`) and recorded with no user, unless `--user` names one (who must then be
allowed to import). Errors get one line on standard error and exit
status 2.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cbmhub.accounts.models import User
from cbmhub.core import roles
from cbmhub.core.errors import DomainError
from cbmhub.negotiations import selectors, services
from cbmhub.negotiations.choices import RevisionKind


class Command(BaseCommand):
    help = "Import a UTF-8 text file as a new revision of a negotiation document."
    stealth_options = ("stdin",)

    def add_arguments(self, parser: CommandParser) -> None:
        target = parser.add_mutually_exclusive_group(required=True)
        target.add_argument("--document", help="document id or symbol")
        target.add_argument(
            "--negotiation",
            type=int,
            help="negotiation id: an Akoma Ntoso FILE becomes a document of it and a revision",
        )
        parser.add_argument("file", metavar="FILE", help="a UTF-8 text file, or - for stdin")
        parser.add_argument(
            "--kind", default=RevisionKind.REV, choices=RevisionKind.values, help="default: rev"
        )
        parser.add_argument("--number", type=int, help="N of Rev.N (required with --kind rev)")
        parser.add_argument("--date", help="YYYY-MM-DD (default: today)")
        parser.add_argument("--label", default="", help='e.g. "Rev.3/Corr.1"')
        parser.add_argument("--user", help="record the import under this username")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["negotiation"] is not None:
            self.import_akn(options)
            return
        try:
            document = selectors.document_for_reference(options["document"])
        except LookupError as error:
            raise CommandError(f"--document: {error}", returncode=2) from None
        date = None
        if options["date"]:
            try:
                date = dt.date.fromisoformat(options["date"])
            except ValueError:
                raise CommandError(
                    f"--date: {options['date']!r} is not a date written YYYY-MM-DD", returncode=2
                ) from None
        actor: Any = roles.SYSTEM
        if options["user"]:
            actor = User.objects.filter(username=options["user"]).first()
            if actor is None:
                raise CommandError(f"--user: no user {options['user']!r}", returncode=2)
        path = options["file"]
        data = self.read(path, options.get("stdin"))
        try:
            result = services.revision_import_upload(
                actor=actor,
                document=document,
                data=data,
                kind=options["kind"],
                number=options["number"],
                date=date,
                label=options["label"],
                source_name="" if path == "-" else Path(path).name,
            )
        except DomainError as error:  # NegotiationsError, or Forbidden for --user
            raise CommandError(error.message, returncode=2) from None
        self.report(document, result.result)

    def import_akn(self, options: dict[str, Any]) -> None:
        from cbmhub.negotiations.models import Negotiation  # noqa: PLC0415 - as the command's other reads

        negotiation = Negotiation.objects.filter(pk=options["negotiation"]).first()
        if negotiation is None:
            raise CommandError(
                f"--negotiation: no negotiation {options['negotiation']}", returncode=2
            )
        path = options["file"]
        data = self.read(path, options.get("stdin"))
        try:
            result = services.document_import_akn(
                actor=roles.SYSTEM,
                negotiation=negotiation,
                data=data,
                source_name="" if path == "-" else Path(path).name,
            )
        except DomainError as error:
            raise CommandError(error.message, returncode=2) from None
        self.report(result.revision.document, result)

    def report(self, document: Any, result: Any) -> None:
        revision = result.revision
        verb = "imported" if result.created else "already imported, unchanged"
        totals = revision.totals or {}
        self.stdout.write(
            f"{document.symbol} {revision.label} {verb} (revision {revision.pk}, "
            f"sha256 {revision.source_sha256[:12]}…, {totals.get('paragraphs', 0)} paragraphs, "
            f"{totals.get('bracketed', 0)} bracketed, {totals.get('errors', 0)} errors)"
        )

    def read(self, path: str, stdin: Any = None) -> bytes:
        """The file's bytes; more than MAX_SOURCE_BYTES is refused before it is all read (a
        file of gigabytes named by mistake must not fill the memory first)."""
        name = "standard input" if path == "-" else path
        limit = services.MAX_SOURCE_BYTES * (16 if path.lower().endswith(".docx") else 1)
        try:
            if path == "-":
                stream = stdin if stdin is not None else sys.stdin
                source = stream.buffer if hasattr(stream, "buffer") else stream
                data = source.read(limit + 1)
                data = data.encode("utf-8") if isinstance(data, str) else data
            else:
                with open(path, "rb") as handle:
                    data = handle.read(limit + 1)
        except FileNotFoundError:
            raise CommandError(f"{name}: no such file", returncode=2) from None
        except IsADirectoryError:
            raise CommandError(f"{name}: is a directory, not a text file", returncode=2) from None
        except OSError as error:
            raise CommandError(f"{name}: cannot be read ({error.strerror})", returncode=2) from None
        if len(data) > limit:
            raise CommandError(
                f"{name}: more than the {limit} bytes a revision may have", returncode=2
            )
        return data
