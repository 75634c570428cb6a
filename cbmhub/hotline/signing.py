"""The platform's Ed25519 key that signs the hotline record.

Read from ``settings.CBMHUB_SIGNING_KEY_FILE`` (PEM, PKCS#8). When the file does not exist a key
is generated and written with mode 0600, created exclusively so that two processes starting at
once cannot each write a different key. Keep a backup: records signed with a lost key can still
be verified with its public key, but no new entry can continue them under the same key id.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings

from . import chain


def key_path() -> Path:
    return Path(settings.CBMHUB_SIGNING_KEY_FILE)


def private_key() -> Ed25519PrivateKey:
    return _load(str(key_path()))


def public_key() -> Ed25519PublicKey:
    return private_key().public_key()


def public_key_pem() -> str:
    return chain.public_key_pem(public_key())


def key_id() -> str:
    return chain.key_id(public_key())


@lru_cache(maxsize=4)
def _load(path: str) -> Ed25519PrivateKey:
    file = Path(path)
    if not file.exists():
        _create(file)
    key = serialization.load_pem_private_key(file.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{file} does not hold an Ed25519 private key")
    return key


def _create(file: Path) -> None:
    file.parent.mkdir(parents=True, exist_ok=True)
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    try:
        fd = os.open(file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return  # another process won the race; use its key
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)
