"""One CSV cell: the channels cell (``*email:…; phone:…``) and the quoting that keeps a cell
from running as a spreadsheet formula. No database."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from cbmhub.core.spreadsheet import spreadsheet_safe


def parse_channel_cell(text: str) -> list[dict[str, Any]]:
    """``*email:cert@example.org; phone:+1 555 0100`` → channels; ``*`` marks the primary."""
    channels = []
    for part in text.split(";"):
        part = part.strip()
        if not part:
            continue
        primary = part.startswith("*")
        kind, sep, value = part.lstrip("*").partition(":")
        if not sep:
            raise ValueError(f"“{part}” is not kind:value (for example email:cert@example.org).")
        channels.append(
            {
                "kind": kind.strip().lower(),
                "value": value.strip(),
                "is_primary": primary,
                "note": "",
            }
        )
    return channels


def format_channel_cell(channels: Iterable[dict[str, Any]]) -> str:
    return "; ".join(
        f"{'*' if channel['is_primary'] else ''}{channel['kind']}:{channel['value']}"
        for channel in channels
    )


# Every cell goes through core.spreadsheet: the export must not start a formula (CSV injection).


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        if value and isinstance(value[0], dict):
            text = format_channel_cell(value)
        else:
            text = "; ".join(value)
    else:
        text = str(value)
    return spreadsheet_safe(text)
