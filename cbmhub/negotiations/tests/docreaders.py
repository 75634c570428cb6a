"""Independent readers for the document tests: pandoc (docx → JSON) and the expected
paragraph texts from the notation engine. Not a test module."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

from cbmhub.negotiations import notation


def _inline_text(inlines: list[dict[str, Any]], out: list[str]) -> None:
    for node in inlines:
        kind = node["t"]
        content: Any = node.get("c")
        if kind == "Str":
            out.append(content)
        elif kind in ("Space", "SoftBreak", "LineBreak"):
            out.append(" ")
        elif kind in (
            "Emph",
            "Strong",
            "Strikeout",
            "Underline",
            "SmallCaps",
            "Superscript",
            "Subscript",
        ):
            _inline_text(content, out)
        elif kind in ("Span", "Link"):
            _inline_text(content[1], out)
        elif kind == "Quoted":
            quote = "\u201c" if content[0]["t"] == "DoubleQuote" else "\u2018"
            close = "\u201d" if content[0]["t"] == "DoubleQuote" else "\u2019"
            out.append(quote)
            _inline_text(content[1], out)
            out.append(close)
        elif kind == "Code":
            out.append(content[1])


def _blocks(blocks: list[dict[str, Any]], out: list[str]) -> None:
    for block in blocks:
        kind = block["t"]
        if kind in ("Para", "Plain", "Header"):
            parts: list[str] = []
            _inline_text(block["c"] if kind != "Header" else block["c"][2], parts)
            text = " ".join("".join(parts).split())
            if text:
                out.append(text)
        elif kind in ("BlockQuote", "Div"):
            _blocks(block["c"] if kind == "BlockQuote" else block["c"][1], out)
        elif kind in ("BulletList", "OrderedList"):
            items = block["c"] if kind == "BulletList" else block["c"][1]
            for item in items:
                _blocks(item, out)


def pandoc_paragraphs(path: Path, track: str) -> list[str]:
    """The paragraphs pandoc reads from a .docx with --track-changes=accept|reject, each with
    whitespace collapsed; empty paragraphs are dropped (pandoc drops them too)."""
    done = subprocess.run(
        ["pandoc", f"--track-changes={track}", "-f", "docx", "-t", "json", str(path)],
        capture_output=True,
        check=True,
        timeout=120,
    )
    out: list[str] = []
    _blocks(json.loads(done.stdout)["blocks"], out)
    return out


def visible_paragraphs(text: str) -> list[str]:
    """What a reader of the Word file sees of each paragraph of a notation text: markers
    (~~, *) gone, whitespace collapsed."""
    out = []
    for paragraph in notation.parse(text).paragraphs:
        visible = "".join(
            s.text for s in notation.paragraph_segments(paragraph) if s.kind != "marker"
        )
        visible = " ".join(visible.split())
        if visible:
            out.append(visible)
    return out


def revised_copy(source: str) -> str:
    """The corpus text (004) revised as a delegation would: a tag added to PP4, PP5b's brackets
    removed, PP5e-alt deleted, a word changed in PP6, PP7 moved after PP5a, a new operative
    paragraph inserted before PP6, and part of PP2 struck."""
    lines = source.split("\n")
    out: list[str] = []
    moved: list[str] = []
    for line in lines:
        if line.startswith("PP4."):
            line = line.replace("(+IRAN) (+CHN)", "(+IRAN) (+KAZ) (+CHN)", 1)
        elif line.startswith("PP5b."):
            line = line.replace("[", "").replace("]", "")
        elif line.startswith("[PP5e altern."):
            continue
        elif line.startswith("PP6."):
            words = line.split(" ")
            words[3] = "strongly"
            line = " ".join(words)
            out.extend(["PP5f. Welcoming the new [text] (+KAZ) inserted here;", ""])
        elif line.startswith("PP2."):
            words = line.split(" ")
            line = " ".join(words[:4]) + " ~~" + " ".join(words[4:8]) + "~~ " + " ".join(words[8:])
        elif line.startswith("PP7."):
            moved.append(line)
            continue
        out.append(line)
        if line.startswith("PP5a.") and moved:
            out.extend(["", *moved])
    return "\n".join(out)
