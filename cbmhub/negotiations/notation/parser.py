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

import gc
import re
from bisect import bisect_right
from collections.abc import Iterator
from typing import cast

from cbmhub.core.codes import normalise_code

from .codes import NOT_DELEGATIONS, looks_like_code
from .tree import (
    MAX_DIAGNOSTICS,
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
#
# Every regular expression of the engine runs in linear time: no quantified part can match the
# same characters in two ways and then be retried. The prefix before a label is one atomic
# group: it may only hold spaces, tabs, bullets, "[", "~" and "*", none of which can start a
# label, so the label always starts where the longest such prefix ends and the prefix need
# never give characters back. (Written with a plain "(?:\*\*|\*)*" it could: "**" is one
# marker or two, and 34 asterisks with no label after them cost 3.5 s of retries, 60 a day.)
_LABEL_PATTERN = r"""
    (?>\ufeff?[ \t]*+(?:[-–•·*][ \t]++)?(?:(?:\[|~~|\*\*?)[ \t]*+)*+)
    (?P<label>
        (?P<pp>PP|OP|ПП|ОП)[ \t]?(?P<num>\d{1,3}[a-zа-я]{0,3})
            (?P<alt>[ \t]++(?:alternative|altern|alt)\.?(?:[ \t]?\d{1,2}\b)?)?\.?
      | (?P<dotted>\d{1,3}+(?:\.\d{1,3}+)*+)\.
      | \((?P<paren>\d{1,3}|[a-z]{1,2}|[ivx]{1,5})\)
      | (?P<closing>\d{1,3}|[a-z]|[ivx]{1,5})\)
    )
    (?=[ \t]|\r|\n|\Z)
    """
_LABEL = re.compile(_LABEL_PATTERN, re.VERBOSE)
_BULLET_PATTERN = r"[ \t]*+[-–•·*][ \t]"
# Atomic: a CRLF is one line break, never a CR followed by a blank line.
_EOL = r"(?>\r\n|\r|\n)"
# Where a paragraph may end: a line break followed by blank lines, or by a line that starts
# with a label or a bullet. Named groups of the label are dropped inside the look-ahead.
_LABEL_AHEAD = re.sub(r"[?]P<[a-z]+>", "?:", _LABEL_PATTERN)
_BOUNDARY_PATTERN = (
    rf"{_EOL}(?:(?P<blank>(?:[^\S\r\n]*+{_EOL})++)|(?={_LABEL_AHEAD}|{_BULLET_PATTERN}))"
)
_BOUNDARY = re.compile(_BOUNDARY_PATTERN, re.VERBOSE)
_LEADING_BLANK = re.compile(rf"(?:[^\S\r\n]*+{_EOL})*+")
_FIRST_CHAR = re.compile(r"[^\S\r\n]*+(\S)")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_TOKEN_PATTERN = r"\[|\]|~~|\*\*|\*|\((?P<inner>[^()\[\]\r\n]{1,400})\)"
_TOKEN = re.compile(_TOKEN_PATTERN)
# Both at once, for the single scan of the text: a token never holds a line break and a
# boundary always starts with one, so the two never compete for a position. Every
# alternative starts with a literal character, which lets the regular-expression engine skip
# the characters that start none of them without trying the pattern; so the line break of
# _BOUNDARY is spelt out as three alternatives (in the same order, hence the same matches).
# Group 1 is the inner text of a parenthesis; groups 2 to 4 are the blank lines of a boundary.
_BOUNDARY_REST = rf"(?:((?:[^\S\r\n]*+{_EOL})++)|(?={_LABEL_AHEAD}|{_BULLET_PATTERN}))"
_SCAN = re.compile(
    rf"{_TOKEN_PATTERN}|\r\n{_BOUNDARY_REST}|\r(?!\n){_BOUNDARY_REST}|\n{_BOUNDARY_REST}",
    re.VERBOSE,
)
# Brackets nested deeper than this are kept as text, with a warning.
MAX_DEPTH = 100
_TOO_DEEP = f"'[' nested more than {MAX_DEPTH} brackets deep; kept as text"
_SIGNS = {"+": "support", "-": "oppose", "−": "oppose", "–": "oppose"}
_POSITION_ITEM = re.compile(r"([+\-−–]?)\s*+(\w[\w.\-'’]*+)(?:\s++(.*))?", re.DOTALL)
# Applied to text whose whitespace is already single spaces (see _codes): with "\s*" on both
# sides, a search restarting at each space of a long run of spaces costs the square of the run.
_CODE_LIST_SPLIT = re.compile(r" ?(?:,|&|/|\band\b) ?")
_TERMINAL = frozenset(".;:!?")
_EOL_CHARS = "\r\n"


def parse(text: str) -> Document:
    """Parse a negotiation text. Never raises for a ``str``; ``render(parse(x)) == x``."""
    # The tree holds no reference cycles; pausing the cyclic collector while it is built keeps
    # parsing linear in size (its full passes over the young nodes otherwise grow with them).
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _Parser(text).run()
    finally:
        if enabled:
            gc.enable()


def label_kind(match: re.Match[str]) -> tuple[str, ParagraphKind]:
    """The normalised name and the kind of a label match of ``_LABEL``."""
    pp, num, alt, dotted, paren, closing = match.group(
        "pp", "num", "alt", "dotted", "paren", "closing"
    )
    if pp:
        prefix = "PP" if pp in ("PP", "ПП") else "OP"
        name = prefix + num
        if alt:
            digits = "".join(ch for ch in alt if ch.isdigit())
            name += "-alt" + digits
        return name, "preambular" if prefix == "PP" else "operative"
    if dotted:
        return dotted, "operative"
    return "(" + (paren or closing) + ")", "sub-item"


class _Parser:
    def __init__(self, source: str) -> None:
        self.source = source
        self.line_starts: list[int] | None = None
        self.has_cr = "\r" in source
        self.diagnostics: list[Diagnostic] = []
        self.omitted: dict[str, int] = {}
        # The paragraph being parsed and the starts of its lines, built on its first
        # diagnostic: a diagnostic is located without indexing the whole text.
        self.paragraph: Paragraph | None = None
        self.paragraph_lines: list[int] | None = None

    # -- diagnostics -----------------------------------------------------------------------

    def locate(self, offset: int) -> tuple[int, int]:
        paragraph = self.paragraph
        if paragraph is not None and paragraph.start <= offset <= paragraph.end:
            starts = self.paragraph_lines
            if starts is None:
                starts = self.paragraph_lines = line_starts(
                    self.source, paragraph.start, paragraph.end
                )
            index = bisect_right(starts, offset)
            return paragraph.line + index - 1, offset - starts[index - 1] + 1
        if self.line_starts is None:
            self.line_starts = line_starts(self.source, 0, len(self.source))
        line = bisect_right(self.line_starts, offset)
        return line, offset - self.line_starts[line - 1] + 1

    def report(self, offset: int, severity: Severity, message: str) -> None:
        if len(self.diagnostics) >= MAX_DIAGNOSTICS:  # counted, not listed (tree.py)
            self.omitted[severity] = self.omitted.get(severity, 0) + 1
            return
        line, column = self.locate(offset)
        self.diagnostics.append(Diagnostic(line, column, severity, message, offset))

    def where(self, offset: int) -> str:
        line, column = self.locate(offset)
        return f"line {line}, column {column}"

    def breaks(self, start: int, end: int) -> int:
        """How many line breaks lie in source[start:end] (never splits a \\r\\n)."""
        source = self.source
        if self.has_cr:
            return (
                source.count("\n", start, end)
                + source.count("\r", start, end)
                - source.count("\r\n", start, end)
            )
        return source.count("\n", start, end)

    # -- pass 1: paragraphs ----------------------------------------------------------------

    def spans(self) -> Iterator[tuple[int, int, bool]]:
        """(start, end, marked) of each paragraph, in order; ``marked`` when the paragraph
        holds a marker. One scan of the text with one regular expression finds both the
        candidate paragraph boundaries (a blank line, or a line that starts with a label or a
        bullet) and the markers inside paragraphs, so lines and characters without markup cost
        no Python code. The markers' matches are not kept: a paragraph with markup is scanned
        again by the inline parser, one match at a time, so memory never holds a match object
        per marker of the text (a megabyte of "[" made a million of them)."""
        source = self.source
        tail = len(source.rstrip())
        leading = _LEADING_BLANK.match(source)  # matches always (perhaps empty)
        start = leading.end() if leading is not None else 0
        if start >= tail:
            return
        marked = False
        for match in _SCAN.finditer(source, start, tail):
            boundary = match.start()
            if source[boundary] not in _EOL_CHARS:
                marked = True
                continue
            following = match.end()
            if match.lastindex is not None:  # blank lines: maybe a page break inside
                first = source[following]
                if (first.islower() or first.isspace()) and self.continues(
                    start, boundary, following
                ):
                    continue
            yield start, boundary, marked
            marked = False
            start = following
        eol = _LINE_BREAK.search(source, tail)
        yield start, eol.start() if eol else len(source), marked

    def continues(self, start: int, boundary: int, following: int) -> bool:
        """After a blank line, a block that starts in lower case continues a paragraph that
        does not end like a sentence: a page break split it."""
        source = self.source
        first = _FIRST_CHAR.match(source, following)
        if first is None or not first.group(1).islower() or _LABEL.match(source, following):
            return False
        end = boundary
        while end > start and source[end - 1] in " \t":
            end -= 1
        return source[end - 1] not in _TERMINAL

    def run(self) -> Document:
        source = self.source
        blocks: list[Paragraph | Gap] = []
        add_block = blocks.append
        previous_end = 0
        line = 1
        label_match = _LABEL.match
        has_cr = self.has_cr
        count = source.count
        breaks = self.breaks
        index = 0
        for start, end, marked in self.spans():
            if start > previous_end:
                add_block(Gap(previous_end, start, source[previous_end:start]))
                line += breaks(previous_end, start) if has_cr else count("\n", previous_end, start)
            end_line = line + (breaks(start, end) if has_cr else count("\n", start, end))
            match = label_match(source, start, end)
            if match is None:
                if not marked:  # no marker at all: most paragraphs of a real text
                    text = Text(start, end, source[start:end])
                    paragraph = Paragraph(start, end, line, end_line, index, None, [text])
                else:
                    paragraph = Paragraph(start, end, line, end_line, index, None)
                    self.paragraph, self.paragraph_lines = paragraph, None
                    paragraph.children = _InlineParser(self, paragraph).run()
            else:
                label_start, label_end = match.span("label")
                name, kind = label_kind(match)
                label = Label(label_start, label_end, source[label_start:label_end], name, kind)
                if not marked:
                    children: list[Inline] = [label]
                    if label_start > start:
                        children.insert(0, Text(start, label_start, source[start:label_start]))
                    if label_end < end:
                        children.append(Text(label_end, end, source[label_end:end]))
                    paragraph = Paragraph(start, end, line, end_line, index, label, children)
                else:
                    paragraph = Paragraph(start, end, line, end_line, index, label)
                    self.paragraph, self.paragraph_lines = paragraph, None
                    paragraph.children = _InlineParser(self, paragraph).run()
            add_block(paragraph)
            previous_end = end
            line = end_line
            index += 1
        self.paragraph = None
        if previous_end < len(source) or not blocks:
            add_block(Gap(previous_end, len(source), source[previous_end:]))
        self.diagnostics.sort(key=lambda d: d.offset)
        return Document(source, blocks, self.diagnostics, self.omitted)


def line_starts(source: str, start: int, end: int) -> list[int]:
    """The offsets where the lines of source[start:end] start (``start`` first)."""
    return [start] + [m.end() for m in _LINE_BREAK.finditer(source, start, end)]


class _InlineParser:
    """Pass 2 over one paragraph: its markers (found by the scan of pass 1) to nested nodes
    with a stack. The common markers are handled inline in ``scan``; the irregular cases
    (closing what is open across other markers, unclosed markers) by the helpers."""

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
        source, tokens = self.source, _TOKEN.finditer
        if label is None:
            self.scan(
                tokens(source, paragraph.start, paragraph.end), paragraph.start, paragraph.end
            )
        else:
            # The label is matched before the markers: the markers before it (an opening
            # "[", "~~", "*") are scanned up to it, those inside it (the "(1)" of a label
            # "(1)") are part of it.
            self.scan(tokens(source, paragraph.start, label.start), paragraph.start, label.start)
            self.flush(label.start)
            self.kids.append(label)
            self.text_from = label.end
            self.scan(tokens(source, label.end, paragraph.end), label.end, paragraph.end)
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
                frame.start,
                "warning",
                f"'~~' (strike-through) is not closed {reason}; kept as text",
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

    def scan(self, tokens: Iterator[re.Match[str]], start: int, end: int) -> None:
        """The markers of source[start:end], in order."""
        source = self.source
        for match in tokens:
            at = match.start()
            first = source[at]
            if first == "(":
                node = _paren(self.parser, match)
                if node is not None:
                    text_from = self.text_from
                    if at > text_from:
                        self.kids.append(Text(text_from, at, source[text_from:at]))
                    self.kids.append(node)
                    self.text_from = match.end()
            elif first == "[":
                if self.depth >= MAX_DEPTH:
                    # Kept in the text around it. Real texts nest three or four deep; the
                    # bound keeps every walk over the tree (here, in the analysis, in
                    # rendering) to a stack of at most MAX_DEPTH brackets.
                    self.parser.report(at, "warning", _TOO_DEEP)
                    continue
                text_from = self.text_from
                kids = self.kids
                if at > text_from:
                    kids.append(Text(text_from, at, source[text_from:at]))
                self.depth += 1
                self.count += 1
                frame = Bracket(at, at + 1, "[", "", self.depth, self.count)
                kids.append(frame)
                self.stack.append(frame)
                self.kids = frame.children
                self.text_from = at + 1
            elif first == "]":
                stack = self.stack
                if stack and type(stack[-1]) is Bracket:  # the common case: close it
                    text_from = self.text_from
                    if at > text_from:
                        self.kids.append(Text(text_from, at, source[text_from:at]))
                    self.text_from = at + 1
                    closed = cast(Bracket, stack.pop())
                    self.kids = stack[-1].children if stack else self.root
                    closed.close, closed.end = "]", at + 1
                    self.depth -= 1
                else:
                    self.close_bracket(at)
            elif first == "~":
                self.flush(at)
                index = self.open_inline(Struck)
                if index >= 0:
                    while len(self.stack) - 1 > index:
                        self.unwrap_top(f"before '~~' at {self.parser.where(at)}")
                    struck = cast(Struck, self.pop())
                    struck.close, struck.end = "~~", at + 2
                else:
                    self.push(Struck(at, at + 2, "~~", ""))
                self.text_from = at + 2
            else:
                self.emphasis(match.group(), at, start, end)

    def close_bracket(self, at: int) -> None:
        self.flush(at)
        self.text_from = at + 1
        if self.depth == 0:
            self.kids.append(StrayClose(at, at + 1, "]"))
            label = self.paragraph.label
            where = f" in paragraph {label.text.strip()}" if label else " in this paragraph"
            self.parser.report(
                at, "error", f"unmatched ']': no '[' is open before it{where}; kept as text"
            )
            return
        while not isinstance(self.stack[-1], Bracket):
            self.unwrap_top(f"before ']' at {self.parser.where(at)}")
        frame = cast(Bracket, self.pop())
        frame.close, frame.end = "]", at + 1
        self.depth -= 1

    def emphasis(self, token: str, at: int, start: int, end: int) -> None:
        source = self.source
        after = at + len(token)
        index = -1
        for position in range(len(self.stack) - 1, -1, -1):
            frame = self.stack[position]
            if isinstance(frame, Bracket):
                break
            if isinstance(frame, Emphasis) and frame.marker == token:
                index = position
                break
        if index >= 0:
            # The same marker is open: this one closes it, or is text. It never opens a second
            # one inside the first (unclosed nests would cost quadratic time to unwrap).
            if at > start and not source[at - 1].isspace():
                self.flush(at)
                while len(self.stack) - 1 > index:
                    self.unwrap_top(f"before '{token}' at {self.parser.where(at)}")
                closed = self.pop()
                closed.end = after
                self.text_from = after
        elif after < end and not source[after].isspace():
            self.flush(at)
            self.push(Emphasis(at, after, token))
            self.text_from = after
        # else: a lone * stays in the text


def _paren(parser: _Parser, match: re.Match[str]) -> Position | Note | None:
    """A parenthesis as a position tag, a note, or None (ordinary text)."""
    inner = match[1]
    stripped = inner.lstrip()
    if stripped[:1] in _SIGNS:
        entries = parse_position(inner)
        if entries:
            return Position(match.start(), match.end(), match[0], entries)
        if stripped[1:].lstrip()[:1].isalpha():
            parser.report(
                match.start(),
                "warning",
                f"'{match[0]}' looks like a position tag but does not name a delegation code "
                "(codes are written in capitals, e.g. (+CHN)); kept as text",
            )
        return None
    if ":" not in inner and "," not in inner:  # a note needs one or the other
        return None
    note = parse_note(inner)
    if note is None:
        return None
    delegations, body = note
    return Note(match.start(), match.end(), match[0], delegations, body)


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
            # stance is one of _SIGNS' values here (the condition above), a Stance.
            entry = PositionEntry(normalise_code(code), code, stance, qualifier)  # type: ignore[arg-type]  # noqa: E501
            entries.append(entry)
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
    for part in _CODE_LIST_SPLIT.split(" ".join(text.split())):
        if not looks_like_code(part, min_length=2) or part.rstrip(".") in NOT_DELEGATIONS:
            return None
        codes.append(normalise_code(part))
    return tuple(codes) or None
