"""API token keys: how they are made, read back from a request and compared. No Django here.

A key reads ``cbm_<10 hex>_<43 base64url>``: the first part (``cbm_`` and 10 hex digits) is
the *prefix*, stored in clear to find the token; the rest is 256 random bits. Only the SHA-256
digest of the whole key is stored. A key of 256 random bits needs no slow, salted hash (that
is for passwords people choose); one SHA-256 makes a stolen table useless and costs nothing
per request.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

PREFIX_MARK = "cbm_"
_KEY = re.compile(r"(cbm_[0-9a-f]{10})_[A-Za-z0-9_-]{43}")
# Longer input is refused before any work is done on it.
MAX_KEY_LENGTH = 64


def new_key() -> tuple[str, str]:
    """A fresh key and its prefix."""
    prefix = f"{PREFIX_MARK}{secrets.token_hex(5)}"
    return f"{prefix}_{secrets.token_urlsafe(32)}", prefix


def prefix_of(key: str) -> str | None:
    """The prefix of a well-formed key, or None for anything else."""
    if len(key) > MAX_KEY_LENGTH:
        return None
    match = _KEY.fullmatch(key)
    return match.group(1) if match else None


def digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def matches(key: str, stored_digest: str) -> bool:
    """Constant-time comparison of a presented key with a stored digest."""
    return hmac.compare_digest(digest(key), stored_digest)
