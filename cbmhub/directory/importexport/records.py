"""The records an import reads, the problems it finds, and the result it reports."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# --- problems and records -------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an import: where (CSV row and column, or JSON path) and what."""

    row: int | None
    field: str
    message: str
    source: str = "csv"

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "field": self.field, "message": self.message}

    def __str__(self) -> str:
        if self.source == "json":
            return f"{self.field or 'document'}: {self.message}"
        if self.row is None:
            return f"field {self.field}: {self.message}"
        return f"row {self.row}, field {self.field or '-'}: {self.message}"


@dataclass
class Record:
    """One row of a CSV file or one object of a JSON list, with its place in the file."""

    kind: str
    raw: dict[str, Any]
    row: int  # CSV: row in the file (header = 1); JSON: index in its list
    source: str
    values: dict[str, Any] = field(default_factory=dict)  # checked values, after step 2

    def problem(self, field_name: str, message: str) -> Problem:
        if self.source == "json":
            path = f"{self.kind}[{self.row}]"
            return Problem(
                self.row, f"{path}.{field_name}" if field_name else path, message, "json"
            )
        # A CSV file shows a nested path (channels[1].value) in its one cell: channels.
        column = field_name.split("[", 1)[0].split(".", 1)[0]
        if column != field_name:
            message = f"{field_name}: {message}"
        return Problem(self.row, column, message, "csv")


@dataclass
class ImportResult:
    problems: list[Problem]
    summary: dict[str, dict[str, int]]
    applied: bool
    dry_run: bool
    # Seconds spent planning (reading only) and holding the write transaction, for -v 2 and
    # bench/directory_import.py.
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems
