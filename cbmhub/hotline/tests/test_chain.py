import json

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
    bundle = chain.build_bundle(
        channel={"id": 7}, entries=_entries(key), public_key=pem, exported_at="now"
    )
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
    bundle = chain.build_bundle(
        channel={"id": 7},
        entries=_entries(forger),
        public_key=chain.public_key_pem(forger.public_key()),
        exported_at="now",
    )
    assert not chain.verify_bundle(bundle, key.public_key()).ok
