"""The tamper-evident record: canonical JSON, a SHA-256 hash chain and Ed25519 signatures.

Pure Python plus `cryptography`, no Django: a party that received an exported bundle verifies it
offline with ``python -m cbmhub.hotline.chain BUNDLE PUBLIC_KEY`` (or ``cbmhub hotline verify
--bundle``) and the platform's public key, without a database.

An entry is a JSON object ``{"channel", "seq", "kind", "at", "prev_hash", "data"}``. Its canonical
form is UTF-8 JSON with sorted keys and no spaces; ``hash = sha256(canonical)`` in hex, and
``signature`` is the Ed25519 signature of the 32 hash bytes, base64. ``prev_hash`` of the first
entry is 64 zeros; each later entry carries the hash of the one before, so changing, removing or
reordering any entry breaks every hash after it, and forging one needs the platform's private key.
"""

from __future__ import annotations

import base64
import hashlib
import json
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

GENESIS = "0" * 64
BUNDLE_FORMAT = "cbmhub-hotline-record/1"


def canonical_json(value: Any) -> str:
    """The one serialisation that is hashed: sorted keys, no whitespace, UTF-8 kept as is.
    Floats are refused because their text form differs between implementations."""
    _refuse_floats(value)
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _refuse_floats(value: Any) -> None:
    if isinstance(value, float):
        raise ValueError("floats are not allowed in the record; use integers or strings")
    if isinstance(value, Mapping):
        for item in value.values():
            _refuse_floats(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            _refuse_floats(item)


def sha256_hex(data: bytes | str) -> str:
    if isinstance(data, str):
        data = data.encode()
    return hashlib.sha256(data).hexdigest()


def make_entry(
    *, channel: int, seq: int, kind: str, at: str, prev_hash: str, data: Mapping[str, Any]
) -> str:
    """The canonical payload of one entry (what is stored and hashed)."""
    return canonical_json(
        {
            "channel": channel,
            "seq": seq,
            "kind": kind,
            "at": at,
            "prev_hash": prev_hash,
            "data": dict(data),
        }
    )


def entry_hash(payload: str) -> str:
    return sha256_hex(payload)


def sign_hash(private_key: Ed25519PrivateKey, hash_hex: str) -> str:
    return base64.b64encode(private_key.sign(bytes.fromhex(hash_hex))).decode()


def signature_valid(public_key: Ed25519PublicKey, hash_hex: str, signature_b64: str) -> bool:
    try:
        public_key.verify(base64.b64decode(signature_b64, validate=True), bytes.fromhex(hash_hex))
    except (InvalidSignature, ValueError):
        return False
    return True


def load_public_key(pem: bytes | str) -> Ed25519PublicKey:
    if isinstance(pem, str):
        pem = pem.encode()
    key = serialization.load_pem_public_key(pem)
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError("the public key is not an Ed25519 key")
    return key


def public_key_pem(key: Ed25519PublicKey) -> str:
    return key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()


def key_id(key: Ed25519PublicKey) -> str:
    """A short name for a public key: the first 16 hex digits of SHA-256 of its raw bytes."""
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return sha256_hex(raw)[:16]


@dataclass(frozen=True)
class Verification:
    """The outcome of checking a chain: ``ok``, how many entries were checked, and for a broken
    chain the first bad entry's ``seq`` (and its ``ref``: a database id or a bundle index)."""

    ok: bool
    checked: int
    bad_seq: int | None = None
    bad_ref: Any = None
    reason: str = ""

    def describe(self) -> str:
        if self.ok:
            return f"OK: {self.checked} entries, chain and signatures valid"
        return f"BROKEN at seq {self.bad_seq} (entry {self.bad_ref}): {self.reason}"


def verify_entries(
    entries: Iterable[Mapping[str, Any]],
    public_key: Ed25519PublicKey,
    *,
    channel: int | None = None,
) -> Verification:
    """Check entries in order. Each has ``seq``, ``payload`` (canonical JSON), ``hash``,
    ``signature`` and optionally ``ref``; stops at the first broken one."""
    prev_hash = GENESIS
    checked = 0
    for entry in entries:
        reason = _entry_problem(entry, prev_hash, checked + 1, channel, public_key)
        if reason:
            seq = entry.get("seq")
            return Verification(False, checked, seq, entry.get("ref", seq), reason)
        prev_hash = entry["hash"]
        checked += 1
    return Verification(True, checked)


def _entry_problem(
    entry: Mapping[str, Any],
    prev_hash: str,
    expected_seq: int,
    channel: int | None,
    public_key: Ed25519PublicKey,
) -> str:
    seq, payload = entry.get("seq"), entry.get("payload")
    if not isinstance(payload, str):
        return "payload missing"
    try:
        body = json.loads(payload)
    except ValueError:
        return "payload is not JSON"
    if not isinstance(body, dict) or canonical_json(body) != payload:
        return "payload is not in canonical form"
    if seq != expected_seq or body.get("seq") != seq:
        return f"sequence number {seq!r} where {expected_seq} was expected"
    if channel is not None and body.get("channel") != channel:
        return f"entry belongs to channel {body.get('channel')!r}, not {channel}"
    if body.get("prev_hash") != prev_hash:
        return "previous-hash link does not match the entry before"
    if entry_hash(payload) != entry.get("hash"):
        return "hash does not match the payload"
    if not signature_valid(public_key, str(entry["hash"]), str(entry.get("signature", ""))):
        return "signature is not valid for the platform key"
    return ""


def build_bundle(
    *,
    channel: Mapping[str, Any],
    entries: Iterable[Mapping[str, Any]],
    public_key: str,
    exported_at: str,
) -> dict[str, Any]:
    """A channel's record as one JSON document that either party can keep and verify."""
    return {
        "format": BUNDLE_FORMAT,
        "exported_at": exported_at,
        "channel": dict(channel),
        "public_key": public_key,
        "entries": [
            {
                "seq": e["seq"],
                "payload": e["payload"],
                "hash": e["hash"],
                "signature": e["signature"],
            }
            for e in entries
        ],
    }


def verify_bundle(bundle: Mapping[str, Any], public_key: Ed25519PublicKey) -> Verification:
    """Verify an exported bundle against a public key obtained independently of the bundle
    (the key inside the bundle is informative only: trusting it would let a forger bring theirs).
    """
    if bundle.get("format") != BUNDLE_FORMAT:
        return Verification(False, 0, None, None, f"not a {BUNDLE_FORMAT} bundle")
    channel = bundle.get("channel", {}).get("id")
    entries = [dict(e, ref=f"#{i}") for i, e in enumerate(bundle.get("entries", []))]
    return verify_entries(entries, public_key, channel=channel)


def main(argv: list[str] | None = None) -> int:
    """``python -m cbmhub.hotline.chain BUNDLE.json PUBLIC_KEY.pem``: offline verification."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        print("usage: python -m cbmhub.hotline.chain BUNDLE.json PUBLIC_KEY.pem", file=sys.stderr)
        return 2
    with open(args[0], encoding="utf-8") as handle:
        bundle = json.load(handle)
    with open(args[1], "rb") as handle:
        key = load_public_key(handle.read())
    result = verify_bundle(bundle, key)
    print(result.describe())
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main())
