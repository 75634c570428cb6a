"""`cbmhub text parse|render|clean PATH`, `cbmhub text compare OLD NEW [--json]`: the
negotiation-text notation from the command line.

PATH is a UTF-8 file or `-` for standard input. `parse` prints the analysis as JSON (the shape
is in docs/notation.md), `render` the text rendered back from the tree (identical to the
input), `clean` the agreed-only text, `compare` the paragraphs of two revisions aligned by
content (a line per paragraph that is not unchanged, or JSON); it needs no database. Input
that is not UTF-8 text, or a file that cannot be read, gets one line on standard error and
exit status 2.
"""

from __future__ import annotations

import json
import sys
from typing import Any, BinaryIO

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError

from cbmhub.directory.selectors import states_for_codes
from cbmhub.negotiations import notation
from cbmhub.negotiations.management.text_documents import (
    DOCUMENT_ACTIONS,
    add_document_actions,
    documents_command,
)


class Command(BaseCommand):
    help = "Parse, render back or clean a negotiation text written in the bracket notation."
    # call_command("text", "render", "-", stdin=stream) reads that stream instead of sys.stdin.
    stealth_options = ("stdin",)

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        parse = actions.add_parser("parse", help="print the analysis as JSON")
        parse.add_argument("path", metavar="PATH", help="a UTF-8 text file, or - for stdin")
        parse.add_argument(
            "--no-resolve",
            action="store_true",
            help="do not look delegation codes up in the directory",
        )
        for name, text in (
            ("render", "print the text rendered back from the tree (identical to the input)"),
            ("clean", "print the agreed-only text"),
        ):
            sub = actions.add_parser(name, help=text)
            sub.add_argument("path", metavar="PATH", help="a UTF-8 text file, or - for stdin")
        compare = actions.add_parser(
            "compare", help="compare two revisions paragraph by paragraph (no database needed)"
        )
        compare.add_argument("old", metavar="OLD", help="the earlier revision (a UTF-8 file or -)")
        compare.add_argument("new", metavar="NEW", help="the later revision (a UTF-8 file or -)")
        compare.add_argument("--json", action="store_true", help="print the comparison as JSON")
        add_document_actions(actions)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] in DOCUMENT_ACTIONS:
            documents_command(self, options)
            return
        if options["action"] == "compare":
            self.compare(options)
            return
        text = self.read(options["path"], options.get("stdin"))
        doc = notation.parse(text)
        action = options["action"]
        if action == "render":
            self.emit(notation.render(doc))
        elif action == "clean":
            self.emit(notation.clean_text(doc))
        else:
            resolve = None if options.get("no_resolve") else self.resolver(doc)
            analysis = notation.analyse(doc, resolve=resolve)
            self.emit(json.dumps(notation.analysis_to_json(analysis), ensure_ascii=False, indent=2))
            self.emit("\n")

    def compare(self, options: dict[str, Any]) -> None:
        if options["old"] == "-" and options["new"] == "-":
            raise CommandError("OLD and NEW cannot both be standard input", returncode=2)
        stdin = options.get("stdin")
        old = notation.analyse(notation.parse(self.read(options["old"], stdin)))
        new = notation.analyse(notation.parse(self.read(options["new"], stdin)))
        comparison = notation.compare(old, new)
        if options["json"]:
            data = notation.comparison_to_json(comparison)
            self.emit(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
            return
        self.emit(compare_report(comparison))

    def read(self, path: str, stdin: Any = None) -> str:
        name = "standard input" if path == "-" else path
        try:
            if path == "-":
                stream = stdin if stdin is not None else sys.stdin
                data = stream.buffer.read() if hasattr(stream, "buffer") else stream.read()
            else:
                with open(path, "rb") as handle:
                    data = handle.read()
        except FileNotFoundError:
            raise CommandError(f"{name}: no such file", returncode=2) from None
        except IsADirectoryError:
            raise CommandError(f"{name}: is a directory, not a text file", returncode=2) from None
        except OSError as error:
            raise CommandError(f"{name}: cannot be read ({error.strerror})", returncode=2) from None
        if isinstance(data, str):
            return data
        return decode(data, name)

    def resolver(self, doc: notation.Document):  # noqa: ANN201 - a resolver or None
        """Codes resolved through the directory's aliases in one query; None when the
        database is not there (a fresh checkout), with a note on stderr."""
        codes = notation.delegation_codes(doc)
        try:
            found = states_for_codes(codes)
        except DatabaseError as error:
            first_line = str(error).splitlines()[0] if str(error) else type(error).__name__
            self.stderr.write(f"note: delegation codes not resolved: {first_line}")
            return None

        def resolve(code: str) -> tuple[int, str] | None:
            state = found.get(code)
            return (state.pk, state.name) if state is not None else None

        return resolve

    def emit(self, text: str) -> None:
        """Write exactly these characters: no added newline, line endings untouched."""
        buffer: BinaryIO | None = getattr(self.stdout._out, "buffer", None)
        if buffer is not None:
            self.stdout.flush()
            buffer.write(text.encode("utf-8"))
            buffer.flush()
        else:
            self.stdout.write(text, ending="")


def decode(data: bytes, name: str) -> str:
    """UTF-8 bytes to text, or a one-line CommandError (status 2) saying what and where."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        byte = data[error.start]
        raise CommandError(
            f"{name}: not UTF-8 text (byte 0x{byte:02x} at offset {error.start} cannot be decoded)",
            returncode=2,
        ) from None
    if "\x00" in text:
        raise CommandError(
            f"{name}: not a text file (NUL byte at offset {text.index(chr(0))})", returncode=2
        )
    return text


def _name(info: notation.ParagraphInfo | None) -> str:
    return info.key if info is not None else ""


def compare_report(comparison: notation.Comparison) -> str:
    """The comparison for a reader: the counts, then one line per paragraph that is not
    unchanged (``changed  OP5 -> OP6  lines 40 -> 42``)."""
    counts = comparison.counts
    lines = [", ".join(f"{counts[name]} {name}" for name in counts)]
    for pair in comparison.pairs:
        if pair.change == "unchanged":
            continue
        old, new = pair.old, pair.new
        if old is not None and new is not None:
            where = f"{_name(old)} -> {_name(new)}"
            at = f"lines {old.line} -> {new.line}"
        else:
            alone = old or new
            assert alone is not None  # a pair has at least one side
            where, at = alone.key, f"line {alone.line}"
        extra = " (out of order)" if pair.reordered else ""
        lines.append(f"{pair.change:<9} {where:<24} {at}{extra}")
    return "\n".join(lines) + "\n"
