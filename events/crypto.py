"""AES-GCM sealing of personal data under per-subject keys, so deleting a key erases a person."""

from __future__ import annotations

import base64
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

KEY_BYTES = 32
NONCE_BYTES = 12


class SealError(Exception):
    """A sealed value does not open with the key it names (tampered or wrong key)."""


def new_key() -> bytes:
    """Make a fresh random 256-bit key for one data subject."""
    return AESGCM.generate_key(bit_length=KEY_BYTES * 8)


def seal(key: bytes, plaintext: bytes, context: bytes) -> str:
    """Encrypt and authenticate `plaintext`, bound to `context` (the event id)."""
    nonce = os.urandom(NONCE_BYTES)
    return base64.b64encode(nonce + AESGCM(key).encrypt(nonce, plaintext, context)).decode()


def unseal(key: bytes, token: str, context: bytes) -> bytes:
    """Decrypt a value made by `seal` with the same key and context."""
    raw = base64.b64decode(token)
    try:
        return AESGCM(key).decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], context)
    except InvalidTag as error:
        raise SealError("personal data does not open with its subject's key") from error
