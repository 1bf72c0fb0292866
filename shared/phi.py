"""PHI at rest: AES-256-GCM over the JSON of a PHI-bearing model, keyed from settings.

A stored document keeps ids, codes and amounts in the clear for queries and dashboards, and the
patient's identity (names, DOB, address, member id, note text) only as ciphertext.
"""

from __future__ import annotations

import base64
import os

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from pydantic import BaseModel


class PhiCipher:
    def __init__(self, key_b64: str, *, associated: bytes = b"rcm-phi-v1") -> None:
        self._aead = AESGCM(base64.b64decode(key_b64))
        self._associated = associated

    def seal(self, value: BaseModel) -> bytes:
        """Encrypt a model's JSON; returns nonce + ciphertext (store as BSON binary)."""
        return self.seal_bytes(value.model_dump_json().encode())

    def seal_bytes(self, plain: bytes) -> bytes:
        """Encrypt bytes that may hold PHI (e.g. an event kept for sending again): nonce + ciphertext."""
        nonce = os.urandom(12)
        return nonce + self._aead.encrypt(nonce, plain, self._associated)

    def open_bytes(self, sealed: bytes) -> bytes:
        return self._aead.decrypt(sealed[:12], sealed[12:], self._associated)

    def open(self, sealed: bytes, model: type[BaseModel]) -> BaseModel:
        """Decrypt what `seal` produced back into `model`; raises InvalidTag on a wrong key."""
        plain = self._aead.decrypt(sealed[:12], sealed[12:], self._associated)
        return model.model_validate_json(plain)
