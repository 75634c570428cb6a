"""The tamper-evident record: canonical JSON, a SHA-256 hash chain and Ed25519 signatures.

Pure Python plus `cryptography`, no Django: a party that received an exported bundle verifies it
offline with ``python -m cbmhub.hotline.chain BUNDLE PUBLIC_KEY`` (or ``cbmhub hotline verify
--bundle``) and the platform's public key, without a database.

An entry is a JSON object ``{"channel", "seq", "kind", "at", "prev_hash", "data"}``. Its canonical
form is UTF-8 JSON with sorted keys and no spaces; ``hash = sha256(canonical)`` in hex, and
``signature`` is the Ed25519 signature of the 32 hash bytes, base64. ``prev_hash`` of the first
entry is 64 zeros; each later entry carries the hash of the one before, so changing, removing or
reordering any entry breaks every hash after it, and forging one needs the platform's private key.

Cutting entries off the end breaks no link, so a bundle carries a **signed head**: the channel's
description (id, name, scope, level, organisation, states), the last ``seq`` and its ``hash``,
signed like an entry. The verifier checks the head's signature, that the bundle's header is the
head's channel, and that the entries end exactly at the head: dropping the last entries, or all
of them, or editing the header fails. A party that keeps a bundle (or only its head) holds an
anchor the platform cannot roll back: ``cbmhub hotline verify --head FILE`` checks the database
still contains that head.

Content and identities enter the record as **keyed commitments**: HMAC-SHA256 keyed with a
random per-message salt that only the readers of the content are shown. Without the salt, a
reader of the record (the secretariat, the operator) cannot test a guess of a subject, body or
sender; with it, a party proves what was sent.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

GENESIS = "0" * 64
BUNDLE_FORMAT = "cbmhub-hotline-record/2"
OLD_BUNDLE_FORMAT = "cbmhub-hotline-record/1"
HEAD_FORMAT = "cbmhub-hotline-head/1"
_HEX64 = re.compile(r"[0-9a-f]{64}")


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


def iso_utc(value: datetime | None) -> str | None:
    """A time as the record writes it: UTC, ISO 8601 with microseconds (None stays None)."""
    return value.astimezone(UTC).isoformat(timespec="microseconds") if value else None


def sha256_hex(data: bytes | str) -> str:
    if isinstance(data, str):
        data = data.encode()
    return hashlib.sha256(data).hexdigest()


def new_salt() -> str:
    """A fresh commitment key: 32 random bytes, hex."""
    return secrets.token_hex(32)


def commitment(salt: str, value: Any) -> str:
    """HMAC-SHA256 of the canonical JSON of `value`, keyed with `salt` (hex). Binding (the value
    cannot be changed under the same commitment) and hiding (without the salt a guess cannot be
    tested), unlike a plain SHA-256 of guessable content."""
    return hmac.new(bytes.fromhex(salt), canonical_json(value).encode(), hashlib.sha256).hexdigest()


def content_sha256(
    *, subject: str, body: str, language: str, attachment_hashes: Sequence[str]
) -> str:
    """The plain content hash that format-1 SENT entries recorded (an oracle for anyone who can
    guess the content: no longer put on the record)."""
    return sha256_hex(
        canonical_json(
            {
                "subject": subject,
                "body": body,
                "language": language,
                "attachments": list(attachment_hashes),
            }
        )
    )


def content_commitment(
    *, salt: str, subject: str, body: str, language: str, attachments: Sequence[Mapping[str, Any]]
) -> str:
    """What a format-2 SENT entry records instead of the content: a commitment keyed with the
    message's salt over subject, body, language and each attachment's name, type, size and
    SHA-256. Who holds the salt (the readers of the content) can prove what was sent; who does
    not (the secretariat, the operator) cannot test a guess against it."""
    return commitment(
        salt,
        {
            "subject": subject,
            "body": body,
            "language": language,
            "attachments": [
                {
                    "name": a["name"],
                    "content_type": a["content_type"],
                    "size": a["size"],
                    "sha256": a["sha256"],
                }
                for a in attachments
            ],
        },
    )


def user_commitment(*, salt: str, role: str, username: str | None, state: str = "") -> str:
    """Who sent (``role="sender"``), acknowledged or replied for `state`, keyed with the
    message's salt: the record binds the account without naming it to those who may not know."""
    return commitment(salt, {"role": role, "user": username, "state": state})


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
    except (ValueError, RecursionError):
        return "payload is not JSON"
    if not isinstance(body, dict) or _canonical_or_none(body) != payload:
        return "payload is not in canonical form"
    if seq != expected_seq or body.get("seq") != seq:
        return f"sequence number {seq!r} where {expected_seq} was expected"
    if channel is not None and body.get("channel") != channel:
        return f"entry belongs to channel {body.get('channel')!r}, not {channel}"
    if body.get("prev_hash") != prev_hash:
        return "previous-hash link does not match the entry before"
    if not isinstance(entry.get("hash"), str) or entry_hash(payload) != entry.get("hash"):
        return "hash does not match the payload"
    if not signature_valid(public_key, str(entry["hash"]), str(entry.get("signature", ""))):
        return "signature is not valid for the platform key"
    return ""


def _canonical_or_none(value: Any) -> str | None:
    try:
        return canonical_json(value)
    except (ValueError, RecursionError):  # a float somewhere, or absurd nesting: never canonical
        return None


# --- the signed head --------------------------------------------------------------------------


def make_head(*, channel: Mapping[str, Any], seq: int, hash: str, signed_at: str) -> dict[str, Any]:
    """The statement "channel `channel` ends at entry `seq` whose hash is `hash`", to be signed.
    Its ``format`` key (which no entry has) keeps a head from passing for an entry."""
    return {
        "format": HEAD_FORMAT,
        "channel": dict(channel),
        "seq": seq,
        "hash": hash,
        "signed_at": signed_at,
    }


def sign_head(private_key: Ed25519PrivateKey, head: Mapping[str, Any]) -> str:
    return sign_hash(private_key, sha256_hex(canonical_json(dict(head))))


def head_signature_valid(
    public_key: Ed25519PublicKey, head: Mapping[str, Any], signature_b64: str
) -> bool:
    canonical = _canonical_or_none(dict(head))
    return canonical is not None and signature_valid(
        public_key, sha256_hex(canonical), signature_b64
    )


class BundleError(ValueError):
    """A bundle (or head) that is not even well-formed: says what and where."""


def _require(value: Any, kind: type | tuple[type, ...], where: str, what: str) -> Any:
    # bool is an int in Python; a JSON true is never a sequence number or an id.
    if not isinstance(value, kind) or isinstance(value, bool):
        raise BundleError(f"{where}: expected {what}, found {type(value).__name__}")
    return value


def parse_head(document: Any, where: str = "bundle") -> tuple[dict[str, Any], str]:
    """The ``head`` and ``head_signature`` of a bundle or of a kept head, checked for shape."""
    _require(document, dict, where, "a JSON object")
    head = _require(document.get("head"), dict, f"{where}.head", "an object (the signed head)")
    if head.get("format") != HEAD_FORMAT:
        raise BundleError(f"{where}.head.format: expected {HEAD_FORMAT!r}")
    channel = _require(head.get("channel"), dict, f"{where}.head.channel", "an object")
    _require(channel.get("id"), int, f"{where}.head.channel.id", "an integer")
    seq = _require(head.get("seq"), int, f"{where}.head.seq", "an integer")
    digest = _require(head.get("hash"), str, f"{where}.head.hash", "a string")
    if seq < 0 or not _HEX64.fullmatch(digest):
        raise BundleError(f"{where}.head: seq must be >= 0 and hash 64 lower-case hex digits")
    _require(head.get("signed_at"), str, f"{where}.head.signed_at", "a string")
    signature = _require(document.get("head_signature"), str, f"{where}.head_signature", "text")
    return head, signature


def parse_bundle(document: Any) -> dict[str, Any]:
    """Check a bundle's shape before any verification: every malformed input is a BundleError
    naming the place, never a traceback."""
    _require(document, dict, "bundle", "a JSON object")
    if document.get("format") == OLD_BUNDLE_FORMAT:
        return dict(document)  # answered by verify_bundle: no signed head to check against
    if document.get("format") != BUNDLE_FORMAT:
        raise BundleError(f"bundle.format: expected {BUNDLE_FORMAT!r}")
    _require(document.get("channel"), dict, "bundle.channel", "an object")
    parse_head(document)
    entries = _require(document.get("entries"), list, "bundle.entries", "a list")
    for index, entry in enumerate(entries):
        where = f"bundle.entries[{index}]"
        _require(entry, dict, where, "an object")
        _require(entry.get("seq"), int, f"{where}.seq", "an integer")
        for key in ("payload", "hash", "signature"):
            _require(entry.get(key), str, f"{where}.{key}", "a string")
    return dict(document)


def build_bundle(
    *,
    channel: Mapping[str, Any],
    entries: Iterable[Mapping[str, Any]],
    public_key: str,
    exported_at: str,
    head: Mapping[str, Any],
    head_signature: str,
) -> dict[str, Any]:
    """A channel's record as one JSON document that either party can keep and verify."""
    return {
        "format": BUNDLE_FORMAT,
        "exported_at": exported_at,
        "channel": dict(channel),
        "public_key": public_key,
        "head": dict(head),
        "head_signature": head_signature,
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
    Raises BundleError for a malformed bundle. Checks, in order: the signed head, that the
    header is the head's channel, every entry, and that the entries end exactly at the head."""
    bundle = parse_bundle(bundle)
    if bundle.get("format") == OLD_BUNDLE_FORMAT:
        return Verification(
            False,
            0,
            None,
            "bundle",
            f"a {OLD_BUNDLE_FORMAT} bundle has no signed head, so a cut-off end cannot be "
            "detected: export the record again",
        )
    head, signature = parse_head(bundle)
    if not head_signature_valid(public_key, head, signature):
        return Verification(False, 0, head["seq"], "head", "the head's signature is not valid")
    if _canonical_or_none(bundle["channel"]) != _canonical_or_none(head["channel"]):
        return Verification(
            False, 0, None, "header", "the bundle's channel header differs from the signed head"
        )
    entries = [dict(e, ref=f"#{i}") for i, e in enumerate(bundle["entries"])]
    result = verify_entries(entries, public_key, channel=head["channel"]["id"])
    if not result.ok:
        return result
    return _head_problem(head, entries, result) or result


def _head_problem(
    head: Mapping[str, Any], entries: list[dict[str, Any]], result: Verification
) -> Verification | None:
    last_seq, last_hash = (entries[-1]["seq"], entries[-1]["hash"]) if entries else (0, GENESIS)
    if last_seq < head["seq"]:
        return Verification(
            False,
            result.checked,
            last_seq + 1,
            "head",
            f"entries {last_seq + 1} to {head['seq']} are missing: the signed head ends at "
            f"seq {head['seq']}",
        )
    if last_seq > head["seq"] or last_hash != head["hash"]:
        return Verification(
            False, result.checked, last_seq, "head", "the last entry is not the signed head"
        )
    return None


# --- what the record says: replaying a verified chain ----------------------------------------


@dataclass
class ReceiptFacts:
    """What the record says of one recipient state of one message. ``seq`` maps each fact to
    the entry that established it (the SENT entry for the deadlines and for facts still
    absent), so a row that disagrees is reported at the entry it contradicts."""

    sent_seq: int
    ack_due: str | None
    reply_due: str | None
    level: str | None  # the level notified first (format-2 SENT entries), then each escalation
    delivered_at: str | None = None
    acknowledged_at: str | None = None
    acknowledged_by: str | None = None
    replied_at: str | None = None
    reply: int | None = None
    escalation_count: int = 0
    last_escalated_at: str | None = None
    seq: dict[str, int] = field(default_factory=dict)

    def seq_of(self, fact: str) -> int:
        return self.seq.get(fact, self.sent_seq)


@dataclass
class MessageFacts:
    """What the record says of one message: its SENT entry's ``at`` and ``data`` and, per
    recipient state (ISO alpha-3), its ReceiptFacts."""

    seq: int
    at: str
    data: dict[str, Any]
    receipts: dict[str, ReceiptFacts]


@dataclass
class CheckFacts:
    """What the record says of one communication check: its CHECK_STARTED entry's ``at`` and
    ``data``, each target (by point-of-contact id) with its answer time, account and entry, and
    the closing entry's time."""

    seq: int
    at: str
    data: dict[str, Any]
    answers: dict[int, tuple[str, Any, int]] = field(default_factory=dict)
    closed_at: str | None = None
    closed_seq: int | None = None


@dataclass
class RecordFacts:
    """A channel's record replayed: its messages by id, the channel as the last format-2 SENT
    entry described it, and entries that refer to a message or recipient never sent to (a
    record the platform could not have written: reported as broken)."""

    messages: dict[int, MessageFacts] = field(default_factory=dict)
    checks: dict[int, CheckFacts] = field(default_factory=dict)
    channel: dict[str, Any] | None = None
    problems: list[tuple[int, str]] = field(default_factory=list)


_RECEIPT_EVENTS = {"delivered", "acknowledged", "replied", "escalated"}


def replay(bodies: Iterable[Mapping[str, Any]]) -> RecordFacts:
    """The facts a verified chain establishes, from its entries' decoded payloads in order.
    Pure and linear: the database verifier compares every row with these facts."""
    facts = RecordFacts()
    for body in bodies:
        kind, seq, data = body["kind"], body["seq"], body["data"]
        if kind == "sent":
            _replay_sent(facts, seq, body["at"], data)
        elif kind in _RECEIPT_EVENTS:
            _replay_receipt(facts, seq, kind, body["at"], data)
        elif kind.startswith("check_"):
            _replay_check(facts, seq, kind, body["at"], data)
    return facts


def _replay_check(
    facts: RecordFacts, seq: int, kind: str, at: str, data: Mapping[str, Any]
) -> None:
    if kind == "check_started":
        facts.checks[data["check"]] = CheckFacts(seq, at, dict(data))
        return
    # The record's JSON ids as written (maybe missing): an unknown one finds nothing, reported.
    check = facts.checks.get(data.get("check"))  # type: ignore[arg-type]  # JSON id, see above
    if check is None:
        facts.problems.append((seq, f"{kind} entry for check {data.get('check')!r}, never started"))
    elif kind == "check_answered":
        answer = (at, data.get("by"), seq)
        check.answers.setdefault(data.get("poc"), answer)  # type: ignore[arg-type]  # JSON id
    elif kind == "check_closed":
        check.closed_at, check.closed_seq = at, seq


def _replay_sent(facts: RecordFacts, seq: int, at: str, data: Mapping[str, Any]) -> None:
    level = data.get("channel", {}).get("level") if isinstance(data.get("channel"), dict) else None
    receipts = {
        state: ReceiptFacts(seq, due.get("ack_due"), due.get("reply_due"), level)
        for state, due in dict(data.get("recipients") or {}).items()
    }
    facts.messages[data["message"]] = MessageFacts(seq, at, dict(data), receipts)
    if isinstance(data.get("channel"), dict):
        facts.channel = dict(data["channel"])


def _replay_receipt(
    facts: RecordFacts, seq: int, kind: str, at: str, data: Mapping[str, Any]
) -> None:
    # The record's JSON ids as written (maybe missing): an unknown one finds nothing, reported.
    message = facts.messages.get(data.get("message"))  # type: ignore[arg-type]  # JSON id
    state = data.get("state")
    receipt = message.receipts.get(state) if message else None  # type: ignore[arg-type]  # JSON
    if receipt is None:
        facts.problems.append(
            (
                seq,
                f"{kind} entry for message {data.get('message')!r} and state "
                f"{data.get('state')!r}, which no sent entry addressed",
            )
        )
        return
    receipt.seq[kind] = seq
    if kind == "delivered":
        receipt.delivered_at = at
    elif kind == "acknowledged":
        receipt.acknowledged_at = at
        receipt.acknowledged_by = data.get("by_commitment", data.get("by"))
    elif kind == "replied":
        receipt.replied_at, receipt.reply = at, data.get("reply")
    else:
        receipt.level, receipt.last_escalated_at = data.get("to_level"), at
        receipt.escalation_count += 1


def main(argv: list[str] | None = None) -> int:
    """``python -m cbmhub.hotline.chain BUNDLE.json PUBLIC_KEY.pem``: offline verification.
    Exit status 0: verified; 1: the record is broken (the first bad entry is named); 2: the
    input is unusable (not a bundle, malformed, unreadable key), said in one line."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        print("usage: python -m cbmhub.hotline.chain BUNDLE.json PUBLIC_KEY.pem", file=sys.stderr)
        return 2
    try:
        bundle, key = read_bundle(args[0]), read_public_key(args[1])
        result = verify_bundle(bundle, key)
    except BundleError as exc:
        print(f"MALFORMED: {exc}")
        return 2
    print(result.describe())
    return 0 if result.ok else 1


def read_bundle(path: str) -> Any:
    """A bundle's JSON from a file; BundleError (one line) for anything unreadable."""
    try:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    except OSError as exc:
        raise BundleError(f"{path}: cannot read ({exc.strerror or exc})") from None
    except (ValueError, RecursionError) as exc:  # bad JSON, bad UTF-8, nesting too deep
        raise BundleError(f"{path}: not JSON ({_first_line(exc)})") from None


def read_public_key(path: str) -> Ed25519PublicKey:
    try:
        with open(path, "rb") as handle:
            return load_public_key(handle.read())
    except OSError as exc:
        raise BundleError(f"{path}: cannot read ({exc.strerror or exc})") from None
    except (ValueError, TypeError) as exc:
        raise BundleError(
            f"{path}: not an Ed25519 public key in PEM ({_first_line(exc)})"
        ) from None


def _first_line(exc: BaseException) -> str:
    return (str(exc).splitlines() or [type(exc).__name__])[0][:200]


if __name__ == "__main__":
    sys.exit(main())
