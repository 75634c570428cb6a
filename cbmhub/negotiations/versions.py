"""Language versions of a revision: paragraphs of a text in the notation as items for the
aligner (``core.alignment``), and the stored alignment's rows. No database access here."""

from __future__ import annotations

from typing import Any

from cbmhub.core.alignment import AlignedPair, AlignItem, align

from . import notation

# The notation's paragraph kinds as the aligner's (the UN's AKN uses the same two names).
KINDS = {"preambular": "preamble", "operative": "operative", "sub-item": "operative"}


def paragraph_items(source: str) -> list[AlignItem]:
    """The paragraphs of a text in the notation: kind, label and the agreed-only text."""
    analysis = notation.analyse(notation.parse(source))
    out = []
    for paragraph in analysis.paragraphs:
        text = " ".join(paragraph.clean.split())
        if paragraph.label and text.startswith(paragraph.label):
            text = text[len(paragraph.label) :].lstrip(" .)")
        if text:
            out.append(AlignItem(KINDS.get(paragraph.kind, "text"), paragraph.label, text))
    return out


def pair_json(pair: AlignedPair) -> dict[str, Any]:
    return {"left": pair.left, "right": pair.right, "score": pair.score, "how": pair.how}


def aligned(left: list[AlignItem], right: list[AlignItem]) -> list[dict[str, Any]]:
    return [pair_json(pair) for pair in align(left, right)]


def _order(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Reading order: by the left paragraph; a right-only row after the row before it on the
    right."""
    placed: list[tuple[float, float, dict[str, Any]]] = []
    last_left = -1.0
    for row in sorted(rows, key=lambda r: r["right"] if r["right"] is not None else -1):
        if row["left"] is not None:
            last_left = float(row["left"])
            placed.append((last_left, 0.0, row))
        else:
            placed.append((last_left + 0.5, float(row["right"]), row))
    return [row for _, _, row in sorted(placed, key=lambda item: (item[0], item[1]))]


def corrected(rows: list[dict[str, Any]], *, right: int, left: int | None) -> list[dict[str, Any]]:
    """The alignment with the right paragraph ``right`` paired with ``left`` (None: no
    counterpart) by a person; whatever either was paired with before is left unpaired."""
    out: list[dict[str, Any]] = []
    for row in rows:
        if row["right"] == right or (left is not None and row["left"] == left):
            if row["left"] is not None and row["left"] != left:
                out.append({"left": row["left"], "right": None, "score": 0.0, "how": "left-only"})
            if row["right"] is not None and row["right"] != right:
                out.append({"left": None, "right": row["right"], "score": 0.0, "how": "right-only"})
            continue
        out.append(row)
    how = "person" if left is not None else "right-only"
    out.append(
        {"left": left, "right": right, "score": 1.0 if left is not None else 0.0, "how": how}
    )
    return _order(out)


def side_by_side(
    rows: list[dict[str, Any]], left: list[AlignItem], right: list[AlignItem]
) -> list[dict[str, Any]]:
    """Rows for the page: each pair with its two paragraphs (None where missing)."""
    out = []
    for row in rows:
        l_index, r_index = row["left"], row["right"]
        out.append(
            {
                **row,
                "left_item": left[l_index] if l_index is not None and l_index < len(left) else None,
                "right_item": right[r_index]
                if r_index is not None and r_index < len(right)
                else None,
            }
        )
    return out
