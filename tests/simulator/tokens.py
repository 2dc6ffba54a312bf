"""The admin credential (salt + md5-crypt body, never the cleartext) and the token table (protocol.md sections 3, 4, 6)."""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass

import _crypto

FACTORY_PASSWORD = "admin"
FACTORY_SALT = "BQ5hoXV9"
SALT_ALPHABET = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def random_salt(rng: random.Random | None = None) -> str:
    if rng is None:
        return "".join(secrets.choice(SALT_ALPHABET) for _i in range(8))
    return "".join(rng.choice(SALT_ALPHABET) for _i in range(8))


class Credential:
    """What /etc/shadow holds for admin: the salt and the md5-crypt body."""

    def __init__(self, salt: str, body: str) -> None:
        self.salt = salt
        self.body = body
        self.aes_key = _crypto.aes_key(body)

    @classmethod
    def from_password(cls, password: str, salt: str) -> Credential:
        return cls(salt, _crypto.md5_crypt_body(password, salt))

    def matches(self, password: str) -> bool:
        return _crypto.md5_crypt_body(password, self.salt) == self.body


@dataclass
class Token:
    client_ip: str
    time: str
    newsalt: str
    issued: float


class TokenTable:
    """Signs handed out by get_token; a sign stays valid until it expires or the password changes."""

    def __init__(self, max_total: int, max_per_ip: int, ttl: float) -> None:
        self.max_total = max_total
        self.max_per_ip = max_per_ip
        self.ttl = ttl
        self._by_sign: dict[str, Token] = {}

    def _purge(self, now: float) -> None:
        for sign in [s for s, t in self._by_sign.items() if now - t.issued >= self.ttl]:
            del self._by_sign[sign]

    def issue(self, client_ip: str, credential: Credential, now: float) -> Token | None:
        """A new token, or None when the table (or this client's share of it) is full."""
        self._purge(now)
        if len(self._by_sign) >= self.max_total:
            return None
        if sum(1 for t in self._by_sign.values() if t.client_ip == client_ip) >= self.max_per_ip:
            return None
        token = Token(client_ip, "%04d" % (int(now) % 10000), random_salt(), now)
        self._by_sign[_crypto.make_sign(credential.body, token.time, token.newsalt)] = token
        return token

    def valid(self, sign, now: float) -> bool:
        token = self._by_sign.get(sign) if isinstance(sign, str) else None
        if token is None:
            return False
        if now - token.issued >= self.ttl:
            del self._by_sign[sign]
            return False
        return True

    def active(self, now: float) -> int:
        self._purge(now)
        return len(self._by_sign)

    def clear(self) -> None:
        self._by_sign.clear()
