"""The local issuer's signing key: an EC P-256 key (ES256), made on first start and kept in the
issuer's own database, so tokens stay valid across restarts. Its public half is the JWK set."""

from __future__ import annotations

import secrets
from datetime import datetime

from joserfc.jwk import ECKey
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

ALGORITHM = "ES256"


async def signing_key(database: AsyncDatabase, now: datetime) -> ECKey:
    """The newest signing key, made (once, even with two issuers starting together) if none exists."""
    keys = database["signing_keys"]
    doc = await keys.find_one({}, sort=[("created_at", -1)])
    if doc is None:
        kid = f"rcm-local-{secrets.token_hex(6)}"
        key = ECKey.generate_key("P-256", parameters={"kid": kid, "alg": ALGORITHM, "use": "sig"}, private=True)
        try:
            await keys.insert_one({"_id": "first", "kid": kid, "jwk": key.as_dict(private=True), "created_at": now})
        except DuplicateKeyError:
            pass
        doc = await keys.find_one({}, sort=[("created_at", -1)])
    return ECKey.import_key(doc["jwk"])
