"""Delegation codes as they are written in negotiation texts (CHN, IRAN, BANGL, РФ, CO-CHAIRS).

Kept free of Django. Codes are compared with ``cbmhub.core.codes.normalise_code``, the one
normaliser the directory uses too (a pure module, so the parser stays importable alone).
"""

from __future__ import annotations

from cbmhub.core.codes import normalise_code

# Those who speak in a negotiation without being a state. Their positions are counted like a
# delegation's, but they are never resolved against the directory nor listed as unknown.
ACTORS = frozenset(
    {
        "CHAIR",
        "CHAIRS",
        "CO-CHAIR",
        "CO-CHAIRS",
        "COCHAIR",
        "COCHAIRS",
        "CHAIRMAN",
        "CHAIRMANSHIP",
        "CHAIRPERSON",
        "PRESIDENCY",
        "PRESIDENT",
        "FACILITATOR",
        "FACILITATORS",
        "CO-FACILITATOR",
        "CO-FACILITATORS",
        "MODERATOR",
        "RAPPORTEUR",
        "SECRETARIAT",
        "ПРЕДСЕДАТЕЛЬ",
        "ПРЕДСЕДАТЕЛЬСТВО",
        "ФАСИЛИТАТОР",
        "СЕКРЕТАРИАТ",
        "ТӨРАҒА",
        "ХАТШЫЛЫҚ",
    }
)

# All-capital words that open a parenthesis like a note but name no delegation.
NOT_DELEGATIONS = frozenset({"NB", "N.B", "NOTE", "SIC", "TBC", "TBD", "NEW", "OR", "ALT"})

_CODE_PUNCTUATION = frozenset("-.'’")


def is_actor(code: str) -> bool:
    return normalise_code(code) in ACTORS


def looks_like_code(token: str, *, min_length: int = 1) -> bool:
    """True for a word written like a delegation code: starts with a letter (any script), has
    only letters and - . ' inside, and no lower-case letter (scripts without case pass)."""
    if len(token) < min_length or not token[0].isalpha():
        return False
    for char in token:
        if not (char.isalpha() or char in _CODE_PUNCTUATION):
            return False
    return token == token.upper()
