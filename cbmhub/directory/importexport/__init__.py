"""Import and export of the directory as CSV (one kind of record per file) or JSON (everything in
one document). docs/directory-import.md describes the columns and the JSON shape.

An import runs in four steps:

1. *parse* (no database): the file becomes records, each knowing where it came from — the CSV
   row as numbered in the file (the header is row 1) or the JSON path (``states[2]``);
2. *check* (no database): every field of every record is checked (choices, dates, booleans,
   channels, duplicate keys) and each problem is kept with its row, field and message;
3. *plan* (reading only, no transaction): every record is matched to the directory and checked
   against the same permission rules (``permissions``) and model validation (``full_clean``)
   as the services apply; a refused record is still validated, so permission and data problems
   come in one report. A dry run stops here, so it never takes the database's write lock;
4. *write* (one short transaction, only when nothing is wrong): the planned rows are written
   in bulk with one history entry per record, as the services write it, after checking that
   the directory has not changed since planning (otherwise it is planned again).

Records are matched to existing ones by their natural key (organisation acronym, state ISO
alpha-3, body name within its organisation, membership state + organisation + status, point of
contact state + organisation + level + office + person name), so importing an export again
changes nothing, and an import never deletes anything.

The modules: ``schema`` (formats, kinds, columns), ``records`` (records, problems, the result),
``cells`` (the channels cell and formula-safe CSV cells), ``parsing`` (step 1), ``validation``
(step 2), ``planning`` and ``writing`` (steps 3 and 4), ``applying`` (``import_directory``,
which runs them), ``exporting``. Callers import this
package (``from cbmhub.directory import importexport``), not the modules.
"""

from .applying import apply, import_directory
from .cells import format_channel_cell, parse_channel_cell
from .exporting import export, export_csv, export_csv_archive, export_json, export_rows
from .parsing import parse, parse_csv, parse_json
from .records import ImportResult, Problem, Record
from .schema import (
    COLUMNS,
    FORMATS,
    IMPORT_MAX_BYTES,
    JSON_FORMAT_NAME,
    JSON_VERSION,
    KINDS,
    Column,
    ImportFormatError,
    ImportTooLarge,
)
from .validation import check

__all__ = [
    "COLUMNS",
    "IMPORT_MAX_BYTES",
    "FORMATS",
    "JSON_FORMAT_NAME",
    "JSON_VERSION",
    "KINDS",
    "Column",
    "ImportFormatError",
    "ImportResult",
    "ImportTooLarge",
    "Problem",
    "Record",
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
