# Copyright: (c) 2026, hashops.whatsminer contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# This module is private to the collection: it can change or go away without notice.
"""WhatsMiner API V2 credentials and the AES-256-ECB envelope (protocol.md sections 4 and 5).

Pure functions, no I/O and no Ansible import: the simulator uses them too.
"""

from __future__ import annotations

import base64
import hashlib
import traceback

try:
    from passlib.hash import md5_crypt
    from Crypto.Cipher import AES
except ImportError:
    HAS_CRYPTO_LIBS = False
    CRYPTO_IMPORT_ERROR = traceback.format_exc()
else:
    HAS_CRYPTO_LIBS = True
    CRYPTO_IMPORT_ERROR = None

BLOCK = 16


def md5_crypt_body(word: str, salt: str) -> str:
    """The 22-character body of ``$1$<salt>$<body>``, as ``openssl passwd -1`` prints it."""
    return md5_crypt.using(salt=salt).hash(word).split("$")[3]


def derive_key(password: str, salt: str) -> str:
    """The miner's ``key``: md5-crypt body of the admin password with the token's salt."""
    return md5_crypt_body(password, salt)


def make_sign(key: str, time: str, newsalt: str) -> str:
    """The ``token`` value sent inside every encrypted command."""
    return md5_crypt_body(key + time, newsalt)


def aes_key(key: str) -> bytes:
    """AES-256 key: the raw SHA-256 digest of the key string (not of the full ``$1$`` form)."""
    return hashlib.sha256(key.encode("ascii")).digest()


def encrypt(aeskey: bytes, plaintext: bytes) -> str:
    """Zero-pad to the block size (none when aligned), encrypt, base64 on one line."""
    padded = plaintext + b"\0" * (-len(plaintext) % BLOCK)
    return base64.b64encode(AES.new(aeskey, AES.MODE_ECB).encrypt(padded)).decode("ascii")


def decrypt(aeskey: bytes, data: str) -> bytes:
    """Decrypt base64 ``data`` and drop zero or PKCS#7 padding.

    Raises ValueError when ``data`` is not base64 of whole AES blocks.
    """
    raw = base64.b64decode(data, validate=True)
    if not raw or len(raw) % BLOCK:
        raise ValueError("ciphertext is not a whole number of 16-byte blocks")
    plain = AES.new(aeskey, AES.MODE_ECB).decrypt(raw)
    return strip_padding(plain)


def strip_padding(plain: bytes) -> bytes:
    """Remove trailing zero padding, or PKCS#7 padding when the tail is a valid one."""
    last = plain[-1] if plain else 0
    if 1 <= last <= BLOCK and plain.endswith(bytes([last]) * last):
        return plain[:-last]
    return plain.rstrip(b"\0")
