"""Parse the bracket notation of negotiation texts into a lossless tree.

Two passes, both linear in the size of the input:

1. Lines are grouped into paragraphs: a new paragraph starts after a blank line or at a line
   that starts with a label (``PP4.``, ``1.``, ``e)``, ``(1)``) or a bullet. A block that
   starts with a lower-case letter after a blank line, when the paragraph before it does not end
   with . ; : ! or ?, continues that paragraph: text extracted from PDF or Word splits
   paragraphs at page breaks ("...refraining from the threat or use of force,\\n\\nand
   settlement of disputes...").
2. Inside a paragraph one regular expression finds the markers (``[``, ``]``, ``~~``, ``*``,
   ``**`` and parentheses with no parenthesis or bracket inside); a stack turns them into
   nested nodes. Everything between markers is ``Text``.

The parser never raises on a string and never drops a character. Irregular notation is kept
and reported as a ``Diagnostic``: a ``]`` with nothing open becomes a ``StrayClose``; a ``[``
still open at the end of its paragraph is closed there with no closing character; an unclosed
``~~`` or ``*`` is turned back into text. Brackets do not span paragraphs.
"""

from __future__ import annotations

import re
from bisect import bisect_right

from .codes import NOT_DELEGATIONS, looks_like_code, normalise_code
from .tree import (
    Bracket,
    Container,
    Diagnostic,
    Document,
    Emphasis,
    Gap,
    Inline,
    Label,
    Note,
    Paragraph,
    ParagraphKind,
    Position,
    PositionEntry,
    Severity,
    StrayClose,
    Struck,
    Text,
)

# A label at the start of a line, after indentation, a bullet and opening markers ("[", "~~",
# "*"): the label of "[PP5e altern. We express ..." is "PP5e altern.".
_LABEL = re.compile(
    r"""
    [ \t]*(?:[-–•·*][ \t]+)?(?:(?:\[|~~|\*\*|\*)[ \t]*)*
    (?P<label>
        (?P<pp>PP|OP|ПП|ОП)[ \t]?(?P<num>\d{1,3}[a-zа-я]{0,3})
            (?P<alt>[ \t]+(?:alternative|altern|alt)\.?(?:[ \t]?\d{1,2}\b)?)?\.?
      | (?P<dotted>\d{1,3}(?:\.\d{1,3})*)\.
      | \((?P<paren>\d{1,3}|[a-z]{1,2}|[ivx]{1,5})\)
      | (?P<closing>\d{1,3}|[a-z]|[ivx]{1,5})\)
    )
    (?=[ \t]|$)
    """,
    re.VERBOSE,
)
_BULLET = re.compile(r"[ \t]*[-–•·*][ \t]")
_LINE_BREAK = re.compile(r"(\r\n|\r|\n)")
_TOKEN = re.compile(r"\[|\]|~~|\*\*|\*|\((?P<inner>[^()\[\]\r\n]{1,400})\)")
_SIGNS = {"+": "support", "-": "oppose", "−": "oppose", "–": "oppose"}
_POSITION_ITEM = re.compile(r"([+\-−–]?)\s*(\w[\w.\-'’]*)(?:\s+(.*))?", re.DOTALL)
_CODE_LIST_SPLIT = re.compile(r"\s*(?:,|&|/|\band\b)\s*")
_TERMINAL = frozenset(".;:!?")


def parse(text: str) -> Document:
    """Parse a negotiation text. Never raises for a ``str``; ``render(parse(x)) == x``."""
    return _Parser(text).run()


def label_kind(match: re.Match[str]) -> tuple[str, ParagraphKind]:
    """The normalised name and the kind of a label match of ``_LABEL``."""
    if match.group("pp"):
        prefix = "PP" if match.group("pp") in ("PP", "ПП") else "OP"
        name = prefix + match.group("num")
        alt = match.group("alt")
        if alt:
            digits = "".join(ch for ch in alt if ch.isdigit())
            name += "-alt" + digits
        return name, "preambular" if prefix == "PP" else "operative"
    if match.group("dotted"):
        return match.group("dotted"), "operative"
    return "(" + (match.group("paren") or match.group("closing")) + ")", "sub-item"


class _Parser:
    def __init__(self, source: str) -> None:
        self.source = source
        self.line_starts: list[int] = [0]
        self.diagnostics: list[Diagnostic] = []

    # -- diagnostics -----------------------------------------------------------------------

    def locate(self, offset: int) -> tuple[int, int]:
        line = bisect_right(self.line_starts, offset)
        return line, offset - self.line_starts[line - 1] + 1

    def report(self, offset: int, severity: Severity, message: str) -> None:
        line, column = self.locate(offset)
        self.diagnostics.append(Diagnostic(line, column, severity, message, offset))

    def where(self, offset: int) -> str:
        line, column = self.locate(offset)
        return f"line {line}, column {column}"

    # -- pass 1: paragraphs ----------------------------------------------------------------

    def run(self) -> Document:
        source = self.source
        pieces = _LINE_BREAK.split(source) if "\r" in source else None
        if pieces is None:
            lines = source.split("\n")
            breaks = ["\n"] * (len(lines) - 1) + [""]
        else:
            lines = pieces[0::2]
            breaks = pieces[1::2] + [""]

        spans: list[tuple[int, int, int, int, re.Match[str] | None, int]] = []
        line_starts = self.line_starts
        label_match = _LABEL.match
        bullet_match = _BULLET.match
        offset = 0
        para_start = -1
        para_end = 0
        para_line = para_last_line = 0
        para_label: re.Match[str] | None = None
        label_offset = 0
        last_char = ""
        blank_seen = False
        for number, (content, brk) in enumerate(zip(lines, breaks, strict=True), start=1):
            if number > 1:
                line_starts.append(offset)
            stripped = content.strip()
            if stripped:
                match = label_match(content)
                if para_start < 0:
                    new = True
                elif blank_seen:
                    new = not (
                        match is None and stripped[0].islower() and last_char not in _TERMINAL
                    )
                else:
                    new = match is not None or bullet_match(content) is not None
                if new:
                    if para_start >= 0:
                        spans.append(
                            (para_start, para_end, para_line, para_last_line, para_label,
                             label_offset)
                        )  # fmt: skip
                    para_start, para_line = offset, number
                    para_label, label_offset = match, offset
                para_end = offset + len(content)
                para_last_line = number
                last_char = stripped[-1]
                blank_seen = False
            else:
                blank_seen = True
            offset += len(content) + len(brk)
        if para_start >= 0:
            spans.append((para_start, para_end, para_line, para_last_line, para_label, label_offset))

        blocks: list[Paragraph | Gap] = []
        previous_end = 0
        for index, (start, end, line, end_line, match, base) in enumerate(spans):
            if start > previous_end:
                blocks.append(Gap(previous_end, start, source[previous_end:start]))
            label = None
            if match is not None:
                name, kind = label_kind(match)
                label = Label(
                    base + match.start("label"),
                    base + match.end("label"),
                    match.group("label"),
                    name,
                    kind,
                )
            paragraph = Paragraph(start, end, line, end_line, index, label)
            paragraph.children = _InlineParser(self, paragraph).run()
            blocks.append(paragraph)
            previous_end = end
        if previous_end < len(source) or not blocks:
            blocks.append(Gap(previous_end, len(source), source[previous_end:]))
        self.diagnostics.sort(key=lambda d: d.offset)
        return Document(source, blocks, self.diagnostics)


class _InlineParser:
    """Pass 2 over one paragraph: markers to nested nodes with a stack."""

    def __init__(self, parser: _Parser, paragraph: Paragraph) -> None:
        self.parser = parser
        self.source = parser.source
        self.paragraph = paragraph
        self.root: list[Inline] = []
        self.stack: list[Container] = []
        self.kids = self.root
        self.text_from = paragraph.start
        self.depth = 0
        self.count = 0

    def run(self) -> list[Inline]:
        paragraph, label = self.paragraph, self.paragraph.label
        if label is None:
            self.scan(paragraph.start, paragraph.end)
        else:
            self.scan(paragraph.start, label.start)
            self.flush(label.start)
            self.kids.append(label)
            self.text_from = label.end
            self.scan(label.end, paragraph.end)
        self.flush(paragraph.end)
        self.close_all()
        return self.root

    # -- helpers ---------------------------------------------------------------------------

    def flush(self, upto: int) -> None:
        if upto > self.text_from:
            self.kids.append(Text(self.text_from, upto, self.source[self.text_from : upto]))
        self.text_from = upto

    def push(self, frame: Container) -> None:
        self.kids.append(frame)
        self.stack.append(frame)
        self.kids = frame.children

    def pop(self) -> Container:
        frame = self.stack.pop()
        self.kids = self.stack[-1].children if self.stack else self.root
        return frame

    def unwrap_top(self, reason: str) -> None:
        """Turn the innermost open ~~ or * back into text: its marker and what it holds."""
        frame = self.pop()
        marker = frame.marker if isinstance(frame, Emphasis) else frame.open
        if isinstance(frame, Struck):
            self.parser.report(
                frame.start, "warning", f"'~~' (strike-through) is not closed {reason}; kept as text"
            )
        kids = self.kids
        kids.pop()  # the frame itself: nothing can follow it in its parent while it is open
        kids.append(Text(frame.start, frame.start + len(marker), marker))
        kids.extend(frame.children)

    def open_inline(self, kind: type) -> int:
        """Index in the stack of the innermost open frame of ``kind`` inside the innermost
        bracket (a ~~ or * outside the bracket is not closed from inside it); -1 if none."""
        for index in range(len(self.stack) - 1, -1, -1):
            frame = self.stack[index]
            if isinstance(frame, kind):
                return index
            if isinstance(frame, Bracket):
                return -1
        return -1

    def close_all(self) -> None:
        end = self.paragraph.end
        while self.stack:
            frame = self.stack[-1]
            if isinstance(frame, Bracket):
                self.pop()
                frame.end = end
                self.depth -= 1
                self.parser.report(
                    frame.start,
                    "error",
                    "'[' is not closed before the end of its paragraph "
                    f"({self.parser.where(end)}); the rest of the paragraph is taken as bracketed",
                )
            else:
                self.unwrap_top("before the end of its paragraph")

    # -- the scan --------------------------------------------------------------------------

    def scan(self, start: int, end: int) -> None:
        source = self.source
        for match in _TOKEN.finditer(source, start, end):
            token = match.group()
            at = match.start()
            first = token[0]
            if first == "(":
                node = self.paren(match)
                if node is not None:
                    self.flush(at)
                    self.kids.append(node)
                    self.text_from = match.end()
            elif first == "[":
                self.flush(at)
                self.depth += 1
                self.count += 1
                self.push(Bracket(at, at + 1, "[", "", self.depth, self.count))
                self.text_from = at + 1
            elif first == "]":
                self.close_bracket(at)
            elif first == "~":
                self.flush(at)
                index = self.open_inline(Struck)
                if index >= 0:
                    while len(self.stack) - 1 > index:
                        self.unwrap_top(f"before '~~' at {self.parser.where(at)}")
                    frame = self.pop()
                    frame.close, frame.end = "~~", at + 2
                else:
                    self.push(Struck(at, at + 2, "~~", ""))
                self.text_from = at + 2
            else:
                self.emphasis(token, at, start, end)

    def close_bracket(self, at: int) -> None:
        self.flush(at)
        self.text_from = at + 1
        if self.depth == 0:
            self.kids.append(StrayClose(at, at + 1, "]"))
            label = self.paragraph.label
            where = f" of paragraph {label.text.strip()}" if label else ""
            self.parser.report(
                at, "error", f"unmatched ']': no '[' is open at this point{where}; kept as text"
            )
            return
        while not isinstance(self.stack[-1], Bracket):
            self.unwrap_top(f"before ']' at {self.parser.where(at)}")
        frame = self.pop()
        frame.close, frame.end = "]", at + 1
        self.depth -= 1

    def emphasis(self, token: str, at: int, start: int, end: int) -> None:
        source = self.source
        after = at + len(token)
        index = self.open_inline(Emphasis)
        if (
            index >= 0
            and self.stack[index].marker == token  # type: ignore[union-attr]
            and at > start
            and not source[at - 1].isspace()
        ):
            self.flush(at)
            while len(self.stack) - 1 > index:
                self.unwrap_top(f"before '{token}' at {self.parser.where(at)}")
            frame = self.pop()
            frame.end = after
            self.text_from = after
        elif after < end and not source[after].isspace():
            self.flush(at)
            self.push(Emphasis(at, after, token))
            self.text_from = after
        # else: a lone * stays in the text

    def paren(self, match: re.Match[str]) -> Position | Note | None:
        inner = match.group("inner")
        text = match.group()
        stripped = inner.lstrip()
        if stripped[:1] in _SIGNS:
            entries = parse_position(inner)
            if entries:
                return Position(match.start(), match.end(), text, entries)
            if stripped[1:].lstrip()[:1].isalpha():
                self.parser.report(
                    match.start(),
                    "warning",
                    f"'{text}' looks like a position tag but does not name a delegation code "
                    "(codes are written in capitals, e.g. (+CHN)); kept as text",
                )
            return None
        note = parse_note(inner)
        if note is None:
            return None
        delegations, body = note
        return Note(match.start(), match.end(), text, delegations, body)


def parse_position(inner: str) -> tuple[PositionEntry, ...]:
    """``+IRAN with reservation`` / ``+CHN, -ISR`` / ``+CHN, RUS`` to entries; () if not a tag.

    A comma-separated part that is not a code continues the qualifier before it."""
    entries: list[PositionEntry] = []
    stance = ""
    for part in inner.split(","):
        item = part.strip()
        match = _POSITION_ITEM.fullmatch(item)
        code = match.group(2).rstrip(".") if match else ""
        if match and looks_like_code(code) and (match.group(1) or stance):
            stance = _SIGNS[match.group(1)] if match.group(1) else stance
            qualifier = " ".join((match.group(3) or "").split())
            entries.append(PositionEntry(normalise_code(code), code, stance, qualifier))  # type: ignore[arg-type]
        elif entries and item:
            last = entries[-1]
            qualifier = f"{last.qualifier}, {' '.join(item.split())}".lstrip(", ")
            entries[-1] = PositionEntry(last.delegation, last.code, last.stance, qualifier)
        else:
            return ()
    return tuple(entries)


def parse_note(inner: str) -> tuple[tuple[str, ...], str] | None:
    """``IND, TUR: depends on PP5b`` or ``CHN, THA, IRAN original text`` to (codes, body).

    Without a colon at least two codes are needed: ``(UN Charter)`` or ``(SCO)`` are not notes."""
    head, colon, body = inner.partition(":")
    if colon:
        codes = _codes(head)
        if codes and body.strip():
            return codes, " ".join(body.split())
        return None
    parts = inner.split(",")
    if len(parts) < 2:
        return None
    last = parts[-1].split(None, 1)
    if len(last) != 2:
        return None
    codes = _codes(",".join([*parts[:-1], last[0]]))
    if codes is None or not last[1].strip()[:1].islower():
        return None
    return codes, " ".join(last[1].split())


def _codes(text: str) -> tuple[str, ...] | None:
    codes = []
    for part in _CODE_LIST_SPLIT.split(text.strip()):
        if not looks_like_code(part, min_length=2) or part.rstrip(".") in NOT_DELEGATIONS:
            return None
        codes.append(normalise_code(part))
    return tuple(codes) or None
