"""The bracket notation of negotiation texts, in plain Python (no Django).

    doc = parse(text)                 # never raises; render(doc) == text
    analysis = analyse(doc, resolve=lambda code: (state.pk, state.name) or None)
    consensus(analysis)               # totals, stances per delegation, who blocks most
    analysis_to_json(analysis)        # what `cbmhub text parse` prints
    clean_text(doc), plain_text(doc)  # agreed-only text; text without markup
    paragraph_segments(analysis.paragraphs[0])  # runs with bracket depth, for templates
    compare(old_analysis, new_analysis)         # paragraph-level diff between revisions

The notation, the tree and the JSON are described in docs/notation.md.
"""

from cbmhub.core.codes import normalise_code

from .analysis import (
    Analysis,
    Attachment,
    Consensus,
    ConsensusRow,
    DelegationInfo,
    NoteInfo,
    ParagraphInfo,
    PositionInfo,
    analyse,
    analysis_to_json,
    consensus,
    paragraph_to_json,
)
from .codes import ACTORS, is_actor
from .compare import Comparison, DiffOp, ParagraphChange, compare, comparison_to_json, word_diff
from .parser import MAX_DEPTH, parse
from .render import (
    Segment,
    clean_text,
    paragraph_clean,
    paragraph_plain,
    paragraph_segments,
    plain_text,
    render,
)
from .tree import (
    MAX_DIAGNOSTICS,
    Bracket,
    Diagnostic,
    Document,
    Emphasis,
    Gap,
    Label,
    Note,
    Paragraph,
    Position,
    PositionEntry,
    StrayClose,
    Struck,
    Text,
)


def delegation_codes(doc: Document) -> list[str]:
    """Every delegation code named in tags and notes that is not an actor, sorted: what a
    caller resolves in one query before ``analyse(doc, resolve=...)``."""
    codes: set[str] = set()
    stack = [child for paragraph in doc.paragraphs for child in paragraph.children]
    while stack:
        node = stack.pop()
        if isinstance(node, Position):
            codes.update(entry.delegation for entry in node.entries)
        elif isinstance(node, Note):
            codes.update(node.delegations)
        elif isinstance(node, Bracket | Struck | Emphasis):
            stack.extend(node.children)
    return sorted(codes - ACTORS)


__all__ = [
    "ACTORS",
    "MAX_DEPTH",
    "MAX_DIAGNOSTICS",
    "Analysis",
    "Attachment",
    "Bracket",
    "Comparison",
    "Consensus",
    "ConsensusRow",
    "DelegationInfo",
    "Diagnostic",
    "DiffOp",
    "Document",
    "Emphasis",
    "Gap",
    "Label",
    "Note",
    "NoteInfo",
    "Paragraph",
    "ParagraphChange",
    "ParagraphInfo",
    "Position",
    "PositionEntry",
    "PositionInfo",
    "Segment",
    "StrayClose",
    "Struck",
    "Text",
    "analyse",
    "analysis_to_json",
    "clean_text",
    "compare",
    "comparison_to_json",
    "consensus",
    "delegation_codes",
    "is_actor",
    "normalise_code",
    "paragraph_clean",
    "paragraph_plain",
    "paragraph_segments",
    "paragraph_to_json",
    "parse",
    "plain_text",
    "render",
    "word_diff",
]
