"""The outline of a catalogue read from plain text (no Django: usable from the command line and
in benchmarks): a numbered hierarchy such as the ADMM work programme (1 → 1.1 → 1.1.1 …),
as text extracted from a PDF, with the flaws such extraction leaves:

- items wrapped over several lines, with blank lines in between: a line that does not start
  with a code continues the item above it;
- indentation that lies: it is ignored, the code alone says where an item belongs;
- a code without its trailing period ("4.1.1 Provide …", "5.1 Strengthen …"): accepted; a
  bare number without a period starts a top-level item only when it is the next one expected
  (so "2022 workshop" wrapped onto a line of its own stays text);
- words split by a space ("COOPERAT ION", "no rms", "gr eater"): re-joined when the joined word
  occurs elsewhere in the same text and one of the pieces is a fragment (at most three letters
  and not a common short word), or when the first piece is a run of consonants; each repair is
  reported with its line;
- anything that cannot be placed (text before the first item, a code whose parent does not
  exist, a code seen twice) is a diagnostic with its line number, never silently dropped.

``parse_outline(text)`` returns an ``Outline`` with the items in order (``code``, ``parent``,
``text``, ``line``), the diagnostics (``line``, ``message``) and the repairs.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import asdict, dataclass, field

CODE_LINE = re.compile(r"^\s*(\d{1,4}(?:\.\d{1,4})*)(\.?)\s+(\S.*)$")
WORD = re.compile(r"[^\W\d_]+")
VOWELS = frozenset("aeiouyAEIOUY")
# Short words that are words, never fragments of a split word.
SHORT_WORDS = frozenset(
    "a an as at be by do go if in is it me my no of on or so to up us we "
    "all and any are but can due for has its may new not one our per the two use via war".split()
)
MAX_LINE_CHARS = 10_000


@dataclass(frozen=True)
class Item:
    code: str
    parent: str
    text: str
    line: int

    @property
    def level(self) -> int:
        return self.code.count(".") + 1


@dataclass(frozen=True)
class Diagnostic:
    line: int
    message: str


@dataclass(frozen=True)
class Repair:
    line: int
    before: str
    after: str


@dataclass
class Outline:
    items: list[Item] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    repairs: list[Repair] = field(default_factory=list)

    def counts_by_level(self) -> dict[int, int]:
        return dict(sorted(Counter(item.level for item in self.items).items()))

    def as_json(self) -> dict[str, object]:
        return {
            "items": [
                {"code": i.code, "parent": i.parent or None, "text": i.text, "line": i.line}
                for i in self.items
            ],
            "diagnostics": [asdict(d) for d in self.diagnostics],
            "repairs": [asdict(r) for r in self.repairs],
            "counts": {str(k): v for k, v in self.counts_by_level().items()},
        }


@dataclass
class _Open:
    code: str
    parent: str
    line: int
    parts: list[tuple[int, str]]


def parent_of(code: str) -> str:
    return code.rsplit(".", 1)[0] if "." in code else ""


def _is_fragment(piece: str) -> bool:
    return len(piece) <= 3 and piece.lower() not in SHORT_WORDS


def _consonant_run(piece: str) -> bool:
    return piece.islower() and len(piece) <= 3 and not (set(piece) & VOWELS)


class _Joiner:
    """Re-joins words split by a space, judged against the words of the whole text."""

    def __init__(self, text: str) -> None:
        self.vocabulary = Counter(w.lower() for w in WORD.findall(text))

    def join(self, text: str, line: int, repairs: list[Repair]) -> str:
        tokens = text.split()
        out: list[str] = []
        index = 0
        while index < len(tokens):
            token = tokens[index]
            following = tokens[index + 1] if index + 1 < len(tokens) else ""
            if following and self._split(token, following):
                joined = token + following
                repairs.append(Repair(line=line, before=f"{token} {following}", after=joined))
                out.append(joined)
                index += 2
                continue
            out.append(token)
            index += 1
        return " ".join(out)

    def _split(self, first: str, second: str) -> bool:
        if not (first.isalpha() and WORD.fullmatch(_strip_punct(second) or "-")):
            return False
        if first.isupper() != _strip_punct(second).isupper() and not first.islower():
            return False
        joined = (first + _strip_punct(second)).lower()
        if _consonant_run(first) and second[:1].islower():
            return True
        if self.vocabulary[joined] == 0:
            return False
        return _is_fragment(first) or _is_fragment(_strip_punct(second))


def _strip_punct(token: str) -> str:
    return token.rstrip(".,;:)’'\"")


class _Parser:
    def __init__(self, text: str) -> None:
        self.outline = Outline()
        self.seen: set[str] = set()
        self.current: _Open | None = None
        self.placing = True  # False after a line that could not be placed, until the next item
        self.last_top = 0
        self.joiner = _Joiner(text)

    def feed(self, number: int, raw: str) -> None:
        line = raw.strip()
        if not line:
            return
        if len(line) > MAX_LINE_CHARS:
            self._diagnose(number, "The line is longer than 10000 characters; left out.")
            return
        match = CODE_LINE.match(line)
        if match and self._starts_item(number, match):
            return
        if not self.placing:
            self._diagnose(number, "Text after an item that could not be placed; not placed.")
        elif self.current is None:
            self._diagnose(number, "Text before the first numbered item; not placed.")
        else:
            self.current.parts.append((number, line))

    def _starts_item(self, number: int, match: re.Match[str]) -> bool:
        code, period, rest = match.group(1), match.group(2), match.group(3)
        if "." not in code and not period and int(code) != self.last_top + 1:
            return False  # a bare number that is not the next top-level item: text
        self._close()
        parent = parent_of(code)
        if code in self.seen:
            self._diagnose(number, f"The code {code} appears a second time; not placed.")
            self.placing = False
            return True
        if parent and parent not in self.seen:
            self._diagnose(number, f"The code {code} has no parent item {parent}; not placed.")
            self.placing = False
            return True
        self._check_order(number, code)
        self.seen.add(code)
        if not parent:
            self.last_top = int(code)
        self.current = _Open(code=code, parent=parent, line=number, parts=[(number, rest)])
        self.placing = True
        return True

    def _check_order(self, number: int, code: str) -> None:
        """A warning (the item is placed) where a sibling seems to be missing."""
        last = int(code.rsplit(".", 1)[-1])
        parent = parent_of(code)
        previous = f"{parent}.{last - 1}" if parent else str(last - 1)
        if last > 1 and previous not in self.seen:
            self._diagnose(number, f"The item {previous} is missing before {code}.")

    def _close(self) -> None:
        if self.current is None:
            return
        repairs = self.outline.repairs
        texts = [self.joiner.join(text, line, repairs) for line, text in self.current.parts]
        self.outline.items.append(
            Item(
                code=self.current.code,
                parent=self.current.parent,
                text=" ".join(t for t in texts if t),
                line=self.current.line,
            )
        )
        self.current = None

    def _diagnose(self, number: int, message: str) -> None:
        self.outline.diagnostics.append(Diagnostic(line=number, message=message))

    def finish(self) -> Outline:
        self._close()
        return self.outline


def parse_outline(text: str) -> Outline:
    """The items, diagnostics and repairs of an outline (see the module docstring). Linear in
    the length of the text."""
    parser = _Parser(text)
    for number, raw in enumerate(text.splitlines(), start=1):
        parser.feed(number, raw)
    return parser.finish()
