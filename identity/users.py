"""The local issuer's users: a name, argon2id password hash, roles and tenant scopes, in the
`users` collection of its own database (rcm_identity). No PHI: user names and role codes."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from shared.auth import ALL_TENANTS, Principal, Role

NAME = re.compile(r"^[a-z0-9][a-z0-9._@-]{1,63}$")
MIN_PASSWORD = 10
_HASHER = PasswordHasher()  # argon2id, the library's (RFC 9106 low-memory) parameters
# Verified against when the user does not exist, so an unknown name costs as long as a wrong password.
_DUMMY_HASH = _HASHER.hash("no such user: the time of a real check")


class UserError(ValueError):
    pass


@dataclass(frozen=True)
class User:
    name: str
    roles: frozenset[Role]
    tenants: frozenset[str]
    disabled: bool = False

    def principal(self) -> Principal:
        return Principal(self.name, self.roles, self.tenants)


def new_user(name: str, roles: Iterable[str], tenants: Iterable[str]) -> User:
    """A valid user, or UserError saying what is wrong."""
    if not NAME.match(name):
        raise UserError("a user name is 2-64 lower-case letters, digits and . _ @ -")
    try:
        role_set = frozenset(Role(role) for role in roles)
    except ValueError:
        raise UserError("roles are: " + ", ".join(Role)) from None
    tenant_set = frozenset(tenants)
    if not role_set or not tenant_set:
        raise UserError("a user needs at least one role and one tenant")
    if ALL_TENANTS in tenant_set and Role.ADMIN not in role_set:
        raise UserError('only an admin may have every tenant ("*")')
    return User(name, role_set, tenant_set)


class Users:
    def __init__(self, database: AsyncDatabase) -> None:
        self._users = database["users"]

    async def add(self, user: User, password: str, now: datetime) -> None:
        if len(password) < MIN_PASSWORD:
            raise UserError(f"a password has at least {MIN_PASSWORD} characters")
        try:
            await self._users.insert_one({"_id": user.name, "password_hash": _HASHER.hash(password),
                                          "roles": sorted(user.roles), "tenants": sorted(user.tenants),
                                          "disabled": False, "created_at": now})
        except DuplicateKeyError:
            raise UserError(f"user {user.name} exists") from None

    async def all(self) -> list[User]:
        return [_user(doc) async for doc in self._users.find({}).sort("_id", 1)]

    async def disable(self, name: str) -> bool:
        return (await self._users.update_one({"_id": name}, {"$set": {"disabled": True}})).matched_count == 1

    async def authenticate(self, name: str, password: str) -> User | None:
        """The user, when the name exists, is enabled and the password matches; otherwise None."""
        doc = await self._users.find_one({"_id": name})
        try:
            _HASHER.verify(doc["password_hash"] if doc else _DUMMY_HASH, password)
        except (VerificationError, InvalidHashError):
            return None
        if doc is None or doc.get("disabled"):
            return None
        if _HASHER.check_needs_rehash(doc["password_hash"]):
            await self._users.update_one({"_id": name}, {"$set": {"password_hash": _HASHER.hash(password)}})
        return _user(doc)


def _user(doc) -> User:
    return User(doc["_id"], frozenset(Role(role) for role in doc["roles"]), frozenset(doc["tenants"]),
                doc.get("disabled", False))
