"""Roles, ordered: each one may do everything the roles below it may."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum


class Role(IntEnum):
    """``viewer`` reads; ``trader`` also places and cancels orders; ``admin`` steers traders."""

    VIEWER = 1
    TRADER = 2
    ADMIN = 3

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Role:
        """Return the role named ``text``; raise ValueError listing the names otherwise."""
        try:
            return cls[text.strip().upper()]
        except KeyError:
            names = ", ".join(role.label for role in cls)
            raise ValueError(f"unknown role {text!r} (one of: {names})") from None


@dataclass(frozen=True, slots=True)
class Principal:
    """Whoever makes a request: a token's holder, or an anonymous reader on loopback."""

    name: str
    role: Role
    token_id: str | None = None
    """None for anonymous access and for the bootstrap token from the settings."""
    trader_ids: frozenset[str] = frozenset()
    """The traders this token may see and act on; empty means every trader."""

    @property
    def anonymous(self) -> bool:
        return self.name == ANONYMOUS

    def may(self, role: Role) -> bool:
        return self.role >= role

    @property
    def scoped(self) -> bool:
        return bool(self.trader_ids)

    def may_see(self, trader_id: str) -> bool:
        """Whether this caller may read or act on ``trader_id`` (always, when unscoped)."""
        return not self.trader_ids or trader_id in self.trader_ids


ANONYMOUS = "anonymous"
