"""Import and export of the directory as CSV (one kind of record per file) or JSON (everything in
one document). docs/directory-import.md describes the columns and the JSON shape.

An import runs in three steps:

1. *parse* (no database): the file becomes records, each knowing where it came from — the CSV
   row as numbered in the file (the header is row 1) or the JSON path (``states[2]``);
2. *check* (no database): every field of every record is checked (choices, dates, booleans,
   channels, duplicate keys) and each problem is kept with its row, field and message;
3. *apply* (one transaction): every record goes through the directory services, so that the
   permission rules, the model validation and the history are the same as in the UI and the
   API. Each record runs in its own savepoint, so a refused record does not hide the problems of
   the records after it. If there is any problem — or it is a dry run — the whole transaction
   is rolled back: nothing is applied.

Records are matched to existing ones by their natural key (organisation acronym, state ISO
alpha-3, body name within its organisation, membership state + organisation + status, point of
contact state + organisation + level + office + person name), so importing an export again
changes nothing, and an import never deletes anything.

The modules: ``schema`` (formats, kinds, columns), ``records`` (records, problems, the result),
``cells`` (the channels cell and formula-safe CSV cells), ``parsing`` (step 1), ``validation``
(step 2), ``applying`` (step 3 and ``import_directory``), ``exporting``. Callers import this
package (``from cbmhub.directory import importexport``), not the modules.
"""

from .applying import APPLY, apply, import_directory
from .cells import _unquote_cell, format_channel_cell, parse_channel_cell
from .exporting import export, export_csv, export_csv_archive, export_json, export_rows
from .parsing import parse, parse_csv, parse_json
from .records import ImportResult, Problem, Record
from .schema import (
    COLUMNS,
    FORMATS,
    JSON_FORMAT_NAME,
    JSON_VERSION,
    KINDS,
    Column,
    ImportFormatError,
)
from .validation import check

__all__ = [
    "APPLY",
    "COLUMNS",
    "FORMATS",
    "JSON_FORMAT_NAME",
    "JSON_VERSION",
    "KINDS",
    "Column",
    "ImportFormatError",
    "ImportResult",
    "Problem",
    "Record",
    "_unquote_cell",
    "apply",
    "check",
    "export",
    "export_csv",
    "export_csv_archive",
    "export_json",
    "export_rows",
    "format_channel_cell",
    "import_directory",
    "parse",
    "parse_channel_cell",
    "parse_csv",
    "parse_json",
]
