"""``cbmhub precedent index PATH…`` and ``cbmhub precedent search TEXT``.

- ``index PATH…``: files and folders of Akoma Ntoso (.xml) or notation (.txt) texts; each file
  in its own transaction, a file already indexed with the same content is skipped, so a run that
  stops is resumed by running it again. A progress bar on standard error; files that cannot be
  read are listed (the run goes on) and make the exit status 1. Adopted revisions of CBM Hub are
  indexed too (``--no-revisions`` to skip).
- ``search [--phrase] [--lang L] [--limit N] [--json] [--queries FILE] TEXT``: the closest
  precedents (or, with ``--phrase``, every paragraph containing the phrase, oldest first).
  ``--json`` prints a list of results, best first: ``symbol``, ``date``, ``paragraph``,
  ``text`` (the precedent paragraph's whole text), ``score``; ``--queries FILE`` runs one query
  per line and prints one JSON line of results per query. Exit status 2 on a bad query.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cbmhub.core.roles import SYSTEM
from cbmhub.precedent import engine, selectors, services
from cbmhub.precedent.sources import SourceFileError

BAR = 30


def _progress(done: int, total: int, name: str) -> None:
    """A bar redrawn in place on a terminal; a line every 100 files elsewhere (logs)."""
    if not sys.stderr.isatty():
        if done % 100 == 0 or done == total:
            sys.stderr.write(f"{done}/{total} files\n")
        return
    filled = BAR * done // max(total, 1)
    shown = name[-40:]
    sys.stderr.write(f"\r[{'#' * filled}{'.' * (BAR - filled)}] {done}/{total} {shown:<40}")
    sys.stderr.flush()


def result_json(result: selectors.Result) -> dict[str, Any]:
    return {
        "symbol": result.text.symbol,
        "date": result.text.date.isoformat(),
        "paragraph": result.number,
        "text": result.paragraph.content,
        "score": result.score,
        "similarity": result.similarity,
        "language": result.text.language,
        "body": result.text.body,
        "kind": result.paragraph.kind,
        "source": result.text.source.acknowledgement or result.text.source.name,
    }


class Command(BaseCommand):
    help = "Precedent: index adopted texts, search them for agreed language."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        index = sub.add_parser("index", help="Index files and folders of AKN or notation texts.")
        index.add_argument("paths", nargs="+", type=Path)
        index.add_argument("--source", default="uploads", help="Source of non-UN texts (slug).")
        index.add_argument("--date", default="", help="Date (YYYY-MM-DD) of notation texts.")
        index.add_argument("--language", default="en", help="Language of notation texts.")
        index.add_argument("--body", default="", help="Body that adopted notation texts.")
        index.add_argument("--no-revisions", action="store_true")
        index.add_argument(
            "--rebuild", action="store_true", help="Build the search index again from scratch."
        )
        search = sub.add_parser("search", help="Search the index.")
        search.add_argument("text", nargs="?", default="")
        search.add_argument("--phrase", action="store_true", help="Exact phrase search.")
        search.add_argument("--lang", default="", help="Only paragraphs in this language.")
        search.add_argument("--limit", type=int, default=10)
        search.add_argument("--json", action="store_true")
        search.add_argument("--queries", type=Path, help="One query per line; JSON lines out.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "index":
            self._index(options)
        else:
            self._search(options)

    # --- index --------------------------------------------------------------------------------

    def _index(self, options: dict[str, Any]) -> None:
        try:
            files = services.files_under(options["paths"])
        except services.PrecedentError as exc:
            raise CommandError(exc.message) from None
        source = services.source_ensure(
            actor=SYSTEM, slug=options["source"], name=options["source"].title()
        )
        file_options = services.FileOptions(
            source, options["date"], options["language"], options["body"]
        )

        def un_source() -> Any:
            return services.source_ensure(actor=SYSTEM, **services.UN_SOURCE)

        counts = {"added": 0, "replaced": 0, "unchanged": 0}
        failed: list[str] = []
        for number, path in enumerate(files, 1):
            _progress(number - 1, len(files), path.name)
            try:
                outcome = services.file_index(
                    actor=SYSTEM, path=path, options=file_options, un_source=un_source
                )
                counts[outcome.action] += 1
            except (SourceFileError, services.PrecedentError, OSError) as exc:
                failed.append(str(exc))
        _progress(len(files), len(files), "")
        if sys.stderr.isatty():
            sys.stderr.write("\n")
        revisions = 0 if options["no_revisions"] else services.revisions_sync(actor=SYSTEM)
        self.stdout.write(
            f"{counts['added']} added, {counts['replaced']} replaced, "
            f"{counts['unchanged']} unchanged, {len(failed)} not readable; "
            f"{revisions} adopted revisions indexed"
        )
        # The search index, brought up to date and saved here, so that no server process
        # builds it on its first search.
        done = selectors.refresh_index(force=options["rebuild"])
        self.stdout.write(
            f"search index {done.how}: {done.added} paragraphs added, {done.removed} removed "
            f"({done.seconds:.1f} s), saved in {selectors.index_path()}"
        )
        for message in failed:
            self.stderr.write(f"skipped: {message}")
        if failed:
            raise CommandError(f"{len(failed)} files could not be indexed", returncode=1)

    # --- search -------------------------------------------------------------------------------

    def _run(self, text: str, options: dict[str, Any]) -> list[selectors.Result]:
        filters = selectors.SearchFilters(language=options["lang"])
        if options["phrase"]:
            results, _total = selectors.phrase_search(SYSTEM, text, filters)
            return results[: options["limit"]] if options["limit"] > 0 else results
        return selectors.closest_search(SYSTEM, text, filters, limit=options["limit"])

    def _search(self, options: dict[str, Any]) -> None:
        services.revisions_sync(actor=SYSTEM)
        if options["queries"]:
            self._queries(options)
            return
        try:
            results = self._run(options["text"], options)
        except engine.QueryError as exc:
            raise CommandError(str(exc), returncode=2) from None
        if options["json"]:
            self.stdout.write(json.dumps([result_json(r) for r in results], ensure_ascii=False))
            return
        if not results:
            note = " (none of its words is in the index)" if selectors.unknown_words(
                options["text"]) else ""  # fmt: skip
            self.stdout.write(f"No precedent found{note}.")
        for result in results:
            self.stdout.write(
                f"{result.score:.3f}  {result.text.symbol}  {result.text.date}  "
                f"{result.number}  {result.paragraph.content}"
            )
        sources = {r.text.source.acknowledgement for r in results} - {""}
        for acknowledgement in sorted(sources):
            self.stdout.write(acknowledgement)

    def _queries(self, options: dict[str, Any]) -> None:
        try:
            lines = options["queries"].read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"{options['queries']}: {exc}", returncode=2) from None
        for line in lines:
            try:
                results = [result_json(r) for r in self._run(line, options)]
            except engine.QueryError as exc:
                self.stdout.write(json.dumps({"error": str(exc), "code": exc.code}))
                continue
            self.stdout.write(json.dumps(results, ensure_ascii=False))
