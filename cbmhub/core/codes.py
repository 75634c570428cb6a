"""Delegation codes as they are compared, everywhere: the directory's aliases, its search and
import, and the negotiation texts' positions (``negotiations/notation``).

Free of Django (like everything the notation engine imports), so the engine stays importable
and testable alone.
"""

from __future__ import annotations

import unicodedata


def normalise_code(code: str) -> str:
    """A delegation code as it is compared: NFKC, no surrounding space or dots, upper case.

    'Iran' -> 'IRAN', ' pal ' -> 'PAL', 'РФ' -> 'РФ'.
    """
    return unicodedata.normalize("NFKC", code or "").strip().strip(".").upper()
