import json
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from cbmhub.hotline import chain


def _entries(key, n=3, channel=7):
    prev, out = chain.GENESIS, []
    for seq in range(1, n + 1):
        payload = chain.make_entry(
            channel=channel,
            seq=seq,
            kind="sent",
            at=f"2026-01-0{seq}",
            prev_hash=prev,
            data={"message": seq, "text": "ж"},
        )
        digest = chain.entry_hash(payload)
        out.append(
            {
                "seq": seq,
                "payload": payload,
                "hash": digest,
                "signature": chain.sign_hash(key, digest),
            }
        )
        prev = digest
    return out


@pytest.fixture
def key():
    return Ed25519PrivateKey.generate()


def _bundle(key, entries, *, signer=None, channel=None):
    """A bundle whose signed head is the last of `entries` (signed by `signer`, default `key`)."""
    channel = channel or {"id": 7, "name": "A–B", "states": ["KAZ", "MNG"]}
    last: dict[str, Any] = entries[-1] if entries else {"seq": 0, "hash": chain.GENESIS}
    head = chain.make_head(channel=channel, seq=last["seq"], hash=last["hash"], signed_at="now")
    return chain.build_bundle(
        channel=channel,
        entries=entries,
        public_key=chain.public_key_pem(key.public_key()),
        exported_at="now",
        head=head,
        head_signature=chain.sign_head(signer or key, head),
    )


def test_canonical_json_is_sorted_and_compact():
    assert chain.canonical_json({"b": 1, "a": [1, "ж"]}) == '{"a":[1,"ж"],"b":1}'


def test_canonical_json_refuses_floats():
    with pytest.raises(ValueError, match="floats"):
        chain.canonical_json({"a": {"b": [1.5]}})


def test_valid_chain_verifies(key):
    result = chain.verify_entries(_entries(key), key.public_key(), channel=7)
    assert result.ok and result.checked == 3


@pytest.mark.parametrize(
    "tamper, reason",
    [
        (
            lambda e: e[1].update(payload=e[1]["payload"].replace('"message":2', '"message":9')),
            "hash does not match",
        ),
        (lambda e: e[1].update(signature=e[0]["signature"]), "signature"),
        (lambda e: e.pop(1), "sequence number"),
        (lambda e: e[1].update(payload=e[1]["payload"].replace(",", ", ", 1)), "canonical"),
    ],
)
def test_tampering_names_the_first_broken_entry(key, tamper, reason):
    entries = _entries(key)
    tamper(entries)
    result = chain.verify_entries(entries, key.public_key())
    assert not result.ok
    assert result.checked == 1
    assert reason in result.reason


def test_forged_chain_with_another_key_fails(key):
    other = Ed25519PrivateKey.generate()
    result = chain.verify_entries(_entries(other), key.public_key())
    assert not result.ok and result.bad_seq == 1


def test_entry_of_another_channel_is_refused(key):
    assert not chain.verify_entries(_entries(key, channel=8), key.public_key(), channel=7).ok


def test_bundle_roundtrip_and_offline_cli(key, tmp_path, capsys):
    pem = chain.public_key_pem(key.public_key())
    bundle = _bundle(key, _entries(key))
    assert chain.verify_bundle(bundle, chain.load_public_key(pem)).ok
    (tmp_path / "b.json").write_text(json.dumps(bundle))
    (tmp_path / "k.pem").write_text(pem)
    assert chain.main([str(tmp_path / "b.json"), str(tmp_path / "k.pem")]) == 0
    bundle["entries"][2]["payload"] = bundle["entries"][2]["payload"].replace("ж", "z")
    (tmp_path / "b.json").write_text(json.dumps(bundle))
    assert chain.main([str(tmp_path / "b.json"), str(tmp_path / "k.pem")]) == 1
    assert "BROKEN at seq 3 (entry #2)" in capsys.readouterr().out


def test_bundle_does_not_trust_its_own_key(key):
    forger = Ed25519PrivateKey.generate()
    bundle = _bundle(forger, _entries(forger))
    assert not chain.verify_bundle(bundle, key.public_key()).ok


# --- the signed head: truncation and header edits (issue 8, item 6) -----------------------------


@pytest.mark.parametrize("keep", [2, 1, 0])
def test_bundle_cut_short_fails(key, keep):
    """Dropping the last entries, or all of them, breaks no link: the signed head catches it."""
    bundle = _bundle(key, _entries(key))
    del bundle["entries"][keep:]
    result = chain.verify_bundle(bundle, key.public_key())
    assert not result.ok
    assert f"entries {keep + 1} to 3 are missing: the signed head ends at seq 3" in result.reason


def test_bundle_cut_short_with_a_head_of_its_own_fails(key):
    """A forger who cuts the entries cannot sign a matching head without the platform key."""
    bundle = _bundle(key, _entries(key)[:2], signer=Ed25519PrivateKey.generate())
    result = chain.verify_bundle(bundle, key.public_key())
    assert not result.ok and "head's signature is not valid" in result.reason


@pytest.mark.parametrize(
    "edit",
    [
        lambda b: b["channel"].update(name="Another channel"),
        lambda b: b["channel"].update(states=["KAZ", "THA"]),
        lambda b: b["channel"].update(id=8),
        lambda b: b["head"]["channel"].update(name="Another channel"),
        lambda b: b["head"].update(seq=2),
    ],
)
def test_bundle_header_or_head_edited_fails(key, edit):
    bundle = _bundle(key, _entries(key))
    edit(bundle)
    assert not chain.verify_bundle(bundle, key.public_key()).ok


def test_empty_record_verifies_against_its_head(key):
    assert chain.verify_bundle(_bundle(key, []), key.public_key()).ok


def test_old_bundle_without_a_head_is_not_accepted(key):
    bundle = _bundle(key, _entries(key))
    bundle["format"] = chain.OLD_BUNDLE_FORMAT
    result = chain.verify_bundle(bundle, key.public_key())
    assert not result.ok and "no signed head" in result.reason


def _malformed_cases():
    good = lambda: _bundle(Ed25519PrivateKey.generate(), [])  # noqa: E731

    def edited(change):
        def make():
            bundle = good()
            change(bundle)
            return json.dumps(bundle)

        return make

    return {
        "not json": lambda: "{not json",
        "a list": lambda: "[]",
        "a string": lambda: '"bundle"',
        "no format": edited(lambda b: b.pop("format")),
        "unknown format": edited(lambda b: b.update(format="x/9")),
        "channel a string": edited(lambda b: b.update(channel="A-B")),
        "no head": edited(lambda b: b.pop("head")),
        "head a list": edited(lambda b: b.update(head=[])),
        "head seq text": edited(lambda b: b["head"].update(seq="3")),
        "head seq true": edited(lambda b: b["head"].update(seq=True)),
        "head seq negative": edited(lambda b: b["head"].update(seq=-1)),
        "head hash short": edited(lambda b: b["head"].update(hash="abc")),
        "head channel id missing": edited(lambda b: b["head"]["channel"].pop("id")),
        "signature a number": edited(lambda b: b.update(head_signature=5)),
        "entries an object": edited(lambda b: b.update(entries={})),
        "entry a string": edited(lambda b: b.update(entries=["x"])),
        "entry seq text": edited(
            lambda b: b.update(entries=[{"seq": "1", "payload": "", "hash": "", "signature": ""}])
        ),
        "entry payload missing": edited(
            lambda b: b.update(entries=[{"seq": 1, "hash": "", "signature": ""}])
        ),
        "nested too deep": lambda: "[" * 100_000 + "]" * 100_000,
    }


@pytest.mark.parametrize("case", sorted(_malformed_cases()))
def test_malformed_bundle_is_one_line_and_status_2(key, tmp_path, capsys, case):
    (tmp_path / "b.json").write_text(_malformed_cases()[case]())
    (tmp_path / "k.pem").write_text(chain.public_key_pem(key.public_key()))
    assert chain.main([str(tmp_path / "b.json"), str(tmp_path / "k.pem")]) == 2
    out = capsys.readouterr()
    assert out.out.startswith("MALFORMED: ") and out.out.count("\n") == 1 and not out.err


@pytest.mark.parametrize(
    "bundle_bytes, key_text",
    [
        (b"\xff\xfe not utf-8", None),  # undecodable
        (None, "not a key"),
        (None, "missing"),
    ],
)
def test_unreadable_inputs_are_one_line_and_status_2(key, tmp_path, capsys, bundle_bytes, key_text):
    bundle, pem = tmp_path / "b.json", tmp_path / "k.pem"
    bundle.write_bytes(bundle_bytes or json.dumps(_bundle(key, [])).encode())
    if key_text != "missing":
        pem.write_text(key_text or chain.public_key_pem(key.public_key()))
    assert chain.main([str(bundle), str(pem)]) == 2
    assert capsys.readouterr().out.startswith("MALFORMED: ")


def test_entry_with_a_float_is_broken_not_a_crash(key):
    bundle = _bundle(key, _entries(key))
    bundle["entries"][0]["payload"] = bundle["entries"][0]["payload"].replace(
        '"message":1', '"message":1.5'
    )
    result = chain.verify_bundle(bundle, key.public_key())
    assert not result.ok and "canonical" in result.reason


def test_commitment_hides_the_content_behind_the_salt():
    value = {"subject": "Scan", "body": "Please look."}
    salt, other = chain.new_salt(), chain.new_salt()
    assert chain.commitment(salt, value) == chain.commitment(salt, dict(value))
    assert chain.commitment(salt, value) != chain.commitment(other, value)
    assert chain.commitment(salt, value) != chain.sha256_hex(chain.canonical_json(value))
