"""`cbmhub text docx|akn|pdf|import-docx|import-akn`: negotiation documents in and out from the
command line, with no database (cbmhub/negotiations/documents/).

    cbmhub text docx PATH [--against OLD] -o OUT.docx   # with --against: tracked changes
    cbmhub text akn PATH [--lang L] -o OUT.xml           # Akoma Ntoso 3.0, validated
    cbmhub text pdf PATH [--against OLD] -o OUT.pdf      # podium version, or the comparison
    cbmhub text import-docx PATH                          # the notation text (changes accepted)
    cbmhub text import-akn PATH                           # the notation text of an AKN file

Not a command itself (it lives beside commands/): ``commands/text.py`` wires these actions in.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from cbmhub.negotiations import notation
from cbmhub.negotiations.documents.akn import AknError, AknMeta, import_akn, validate_akn, write_akn
from cbmhub.negotiations.documents.docx import (
    DocMeta,
    DocxError,
    compare_docx,
    export_docx,
    import_docx,
)

DOCUMENT_ACTIONS = frozenset({"docx", "akn", "pdf", "import-docx", "import-akn"})


def add_document_actions(actions: Any) -> None:
    def meta_options(sub: argparse.ArgumentParser) -> None:
        sub.add_argument("--title", default="", help="the document's title")
        sub.add_argument("--symbol", default="", help="its symbol (SWG/OI/1262)")
        sub.add_argument("--revision", default="", help="the revision's label (Rev.3)")
        sub.add_argument("--date", default="", help="the revision's date (YYYY-MM-DD)")
        sub.add_argument("--author", default="CBM Hub", help="the body or the secretariat")

    docx = actions.add_parser(
        "docx", help="write a revision as .docx (tracked changes with --against)"
    )
    docx.add_argument("path", metavar="PATH", help="a UTF-8 text file, or - for stdin")
    docx.add_argument(
        "--against", metavar="OLD", help="the earlier revision: compare with tracked changes"
    )
    docx.add_argument("-o", "--output", required=True, metavar="OUT", help="the .docx to write")
    docx.add_argument("--lang", default="en", help="the text's language (en, ru, kk ...)")
    meta_options(docx)
    akn = actions.add_parser("akn", help="write a revision as Akoma Ntoso 3.0 XML (validated)")
    akn.add_argument("path", metavar="PATH", help="a UTF-8 text file, or - for stdin")
    akn.add_argument("--lang", default="en", help="the text's language (en, ru, kk ...)")
    akn.add_argument("-o", "--output", required=True, metavar="OUT", help="the .xml to write")
    meta_options(akn)
    pdf = actions.add_parser(
        "pdf", help="write the podium version (or with --against the comparison) as PDF"
    )
    pdf.add_argument("path", metavar="PATH", help="a UTF-8 text file, or - for stdin")
    pdf.add_argument("--against", metavar="OLD", help="the earlier revision: the comparison PDF")
    pdf.add_argument("-o", "--output", required=True, metavar="OUT", help="the .pdf to write")
    pdf.add_argument("--lang", default="en", help="the text's language (en, ru, kk ...)")
    meta_options(pdf)
    for name, text in (
        ("import-docx", "print the notation text of a .docx (tracked changes accepted)"),
        ("import-akn", "print the notation text of an Akoma Ntoso file"),
    ):
        sub = actions.add_parser(name, help=text)
        sub.add_argument("path", metavar="PATH", help="the file to read, or - for stdin")


def _read_bytes(command: BaseCommand, path: str, options: dict[str, Any]) -> bytes:
    name = "standard input" if path == "-" else path
    try:
        if path == "-":
            stream = options.get("stdin") or sys.stdin
            data = stream.buffer.read() if hasattr(stream, "buffer") else stream.read()
            return data.encode("utf-8") if isinstance(data, str) else bytes(data)
        with open(path, "rb") as handle:
            return handle.read()
    except FileNotFoundError:
        raise CommandError(f"{name}: no such file", returncode=2) from None
    except IsADirectoryError:
        raise CommandError(f"{name}: is a directory, not a file", returncode=2) from None
    except OSError as error:
        raise CommandError(f"{name}: cannot be read ({error.strerror})", returncode=2) from None


def _write(path: str, data: bytes) -> None:
    try:
        with open(path, "wb") as handle:
            handle.write(data)
    except OSError as error:
        raise CommandError(f"{path}: cannot be written ({error.strerror})", returncode=2) from None


def documents_command(command: Any, options: dict[str, Any]) -> None:
    action = options["action"]
    path = options["path"]
    if action == "import-docx":
        try:
            result = import_docx(_read_bytes(command, path, options))
        except DocxError as error:
            raise CommandError(f"{path}: {error}", returncode=2) from None
        command.emit(result.text if result.text.endswith("\n") or not result.text else result.text)
        for change in result.changes:
            command.stderr.write(
                f"tracked {change.kind} by {change.author or '?'} ({change.date or 'no date'})"
                f" in paragraph {change.paragraph}: {change.text[:60]!r}"
            )
        for comment in result.comments:
            command.stderr.write(f"comment by {comment.author or '?'}: {comment.text}")
        for warning in result.warnings:
            command.stderr.write(f"note: {warning}")
        return
    if action == "import-akn":
        try:
            _doc, text = import_akn(_read_bytes(command, path, options))
        except AknError as error:
            raise CommandError(f"{path}: {error}", returncode=2) from None
        command.emit(text)
        return
    text = command.read(path, options.get("stdin"))
    meta = DocMeta(
        title=options["title"],
        symbol=options["symbol"],
        revision=options["revision"],
        date=options["date"],
        language=options["lang"],
        author=options["author"],
    )
    against = options.get("against")
    if action == "akn":
        data = write_akn(
            notation.parse(text),
            AknMeta(
                title=meta.title,
                symbol=meta.symbol,
                revision=meta.revision,
                date=meta.date,
                language=meta.language,
                author=meta.author,
            ),
        )
        problems = validate_akn(data)
        if problems:  # a defect of the exporter, never of the text: say so loudly
            raise CommandError("the Akoma Ntoso written does not validate: " + problems[0])
    elif action == "docx":
        if against:
            old = notation.analyse(notation.parse(command.read(against, options.get("stdin"))))
            data = compare_docx(old, notation.analyse(notation.parse(text)), meta)
        else:
            data = export_docx(notation.parse(text), meta)
    else:
        from cbmhub.negotiations.documents.pdf import comparison_pdf, podium_pdf  # noqa: PLC0415 - WeasyPrint only for a PDF

        if against:
            old = notation.analyse(notation.parse(command.read(against, options.get("stdin"))))
            data = comparison_pdf(
                old,
                notation.analyse(notation.parse(text)),
                meta,
                old_label=os.path.basename(against),
            )
        else:
            data = podium_pdf(notation.parse(text), meta)
    _write(options["output"], data)
