"""PHI at rest: AES-256-GCM over the JSON of a PHI-bearing model, keyed from settings, with key ids
so keys can be rotated.

A stored document keeps ids, codes and amounts in the clear for queries and dashboards, and the
patient's identity (names, DOB, address, member id, note text) only as ciphertext.

Sealed value: 0xA5, the key id's length (one byte), the key id (ASCII), a 12-byte nonce, then the
ciphertext with its tag. Values sealed before key ids existed (nonce + ciphertext) are still read:
every key of the keyring is tried on them. The keyring is the writing key (RCM_PHI_KEY, id
RCM_PHI_KEY_ID) plus older keys kept for reading (RCM_PHI_OLD_KEYS, JSON {"<id>": "<base64>"}); see
docs/architecture.md for the rotation procedure.

`fingerprint` is a keyed hash (HMAC-SHA-256 under a key derived from the PHI key) for values that
must be looked up but not read back, such as a feed message key that may hold an MRN.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from pydantic import BaseModel

MARK = 0xA5


class PhiCipher:
    def __init__(self, key_b64: str, *, key_id: str = "k1", old_keys: dict[str, str] | None = None,
                 associated: bytes = b"rcm-phi-v1") -> None:
        if not key_id.isascii() or not 0 < len(key_id) < 64 or not key_id.isprintable():
            raise ValueError("a PHI key id is 1 to 63 printable ASCII characters")
        keys = {key_id: base64.b64decode(key_b64)}
        for old_id, old_key in (old_keys or {}).items():
            keys.setdefault(old_id, base64.b64decode(old_key))
        self._key_id = key_id
        self._aeads = {kid: AESGCM(key) for kid, key in keys.items()}
        self._hash_keys = {kid: hmac.new(key, b"rcm-keyed-hash-v1", hashlib.sha256).digest() for kid, key in keys.items()}
        self._associated = associated

    @classmethod
    def from_settings(cls, settings: Any) -> PhiCipher:
        """The cipher of a ServiceSettings (RCM_PHI_KEY, RCM_PHI_KEY_ID, RCM_PHI_OLD_KEYS)."""
        return cls(settings.phi_key.get_secret_value(), key_id=settings.phi_key_id,
                   old_keys={k: v.get_secret_value() for k, v in settings.phi_old_keys.items()})

    @property
    def key_id(self) -> str:
        return self._key_id

    def seal_bytes(self, plain: bytes) -> bytes:
        """Encrypt bytes under the writing key; the result names the key."""
        nonce = os.urandom(12)
        kid = self._key_id.encode()
        return bytes([MARK, len(kid)]) + kid + nonce + self._aeads[self._key_id].encrypt(nonce, plain, self._associated)

    def open_bytes(self, sealed: bytes) -> bytes:
        """Decrypt what `seal_bytes` produced under any key of the keyring; raise InvalidTag."""
        if len(sealed) > 2 and sealed[0] == MARK:
            size = sealed[1]
            kid = sealed[2:2 + size].decode("ascii", errors="replace")
            aead = self._aeads.get(kid)
            if aead is not None:
                body = sealed[2 + size:]
                try:
                    return aead.decrypt(body[:12], body[12:], self._associated)
                except InvalidTag:
                    pass  # a value sealed without a key id may start with the mark by chance
        for aead in self._aeads.values():
            try:
                return aead.decrypt(sealed[:12], sealed[12:], self._associated)
            except InvalidTag:
                continue
        raise InvalidTag()

    def seal(self, value: BaseModel) -> bytes:
        """Encrypt a model's JSON (store as BSON binary)."""
        return self.seal_bytes(value.model_dump_json().encode())

    def open(self, sealed: bytes, model: type[BaseModel]) -> BaseModel:
        """Decrypt what `seal` produced back into `model`; raises InvalidTag on a wrong key."""
        return model.model_validate_json(self.open_bytes(sealed))

    def key_of(self, sealed: bytes) -> str | None:
        """The key id a value was sealed with (None for a value sealed before key ids)."""
        if len(sealed) > 2 and sealed[0] == MARK and sealed[2:2 + sealed[1]].decode("ascii", "replace") in self._aeads:
            return sealed[2:2 + sealed[1]].decode("ascii")
        return None

    def fingerprint(self, value: str) -> str:
        """A keyed hash of `value` under the writing key: "<key id>:<hex>"."""
        return self._fingerprint(self._key_id, value)

    def fingerprints(self, value: str) -> list[str]:
        """`value`'s keyed hash under every key (the writing key's first): what to look up after a rotation."""
        return [self._fingerprint(kid, value) for kid in self._hash_keys]

    def _fingerprint(self, kid: str, value: str) -> str:
        return f"{kid}:" + hmac.new(self._hash_keys[kid], value.encode(), hashlib.sha256).hexdigest()[:40]
