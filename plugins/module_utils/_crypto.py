# Copyright: (c) 2026, hashops.whatsminer contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# This module is private to the collection: it can change or go away without notice.
"""WhatsMiner API V2 credentials and the AES-256-ECB envelope (protocol.md sections 4 and 5).

Pure functions, no I/O and no Ansible import: the simulator uses them too.

md5-crypt (``$1$``, Poul-Henning Kamp's FreeBSD scheme, as ``openssl passwd -1`` and passlib's ``md5_crypt``
compute it) comes from the C library's ``crypt_r`` where it has the scheme (libxcrypt on Linux: about 0.13 ms
a hash, and ctypes lets go of the GIL meanwhile, so a fleet's threads hash side by side), else from the loop
written here on ``hashlib`` (about 0.6 ms; passlib's handler costs 2.7 ms). Every token needs two: a fleet of
1,000 miners spent over 5 s of one CPU on them with passlib. The C library is used only once it gave the
known answer of protocol.md 4 (vector A). The unit tests hold both to the known-answer vectors and to
passlib's output for random passwords and salts.

Contract: for input it cannot use, every function here raises ValueError, and only ValueError,
with a sentence that names the input and the rule it broke (never its value, which may be a
secret). Much of that input comes from the miner (``salt``, ``newsalt`` and ``time`` of get_token,
the ciphertext of a reply), so the client turns such a ValueError into a ProtocolError.
"""

from __future__ import annotations

import base64
import ctypes
import ctypes.util
import functools
import hashlib
import re
import threading
import traceback

try:
    from Crypto.Cipher import AES
except ImportError:
    HAS_CRYPTO_LIBS = False
    CRYPTO_IMPORT_ERROR = traceback.format_exc()
else:
    HAS_CRYPTO_LIBS = True
    CRYPTO_IMPORT_ERROR = None

BLOCK = 16
AES_KEY_SIZE = 32

# md5-crypt salts and bodies are written in this alphabet; a salt has at most 8 characters.
_SALT = re.compile(r"[./0-9A-Za-z]{1,8}\Z")
_KEY = re.compile(r"[./0-9A-Za-z]{1,64}\Z")
# get_token's time is 4 digits (protocol.md 3); anything printable and short is hashed as sent.
_TIME = re.compile(r"[ -~]{1,32}\Z")
# passlib refuses longer passwords, and so do we: a key must be the same whichever computed it
MAX_PASSWORD_BYTES = 4096
_MAGIC = b"$1$"
_ROUNDS = 1000
_ALPHABET = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
# the digest bytes that make up each group of four characters of the body (the last byte makes two)
_GROUPS = ((0, 6, 12), (1, 7, 13), (2, 8, 14), (3, 9, 15), (4, 10, 5))


def md5_crypt_body(word: str, salt: str) -> str:
    """The 22-character body of ``$1$<salt>$<body>``, as ``openssl passwd -1`` prints it."""
    _check_word(word, "the password")
    _check(salt, _SALT, "salt must be 1-8 characters of ./0-9A-Za-z")
    return _body(word, salt)


def derive_key(password: str, salt: str) -> str:
    """The miner's ``key``: md5-crypt body of the admin password with the token's salt."""
    return md5_crypt_body(password, salt)


def make_sign(key: str, time: str, newsalt: str) -> str:
    """The ``token`` value sent inside every encrypted command."""
    _check(key, _KEY, "key must be an md5-crypt body: 1-64 characters of ./0-9A-Za-z")
    _check(time, _TIME, "time must be 1-32 printable ASCII characters (the miner sends 4 digits)")
    _check(newsalt, _SALT, "newsalt must be 1-8 characters of ./0-9A-Za-z")
    return _body(key + time, newsalt)


def _body(word: str, salt: str) -> str:
    """The md5-crypt body of ``word`` (checked by the caller) with ``salt``: the C library's where it has one."""
    pwd, salt_bytes = word.encode("utf-8"), salt.encode("ascii")
    return _c_body(pwd, salt_bytes) or _encode(_digest(pwd, salt_bytes))


# ---- md5-crypt in C, where the C library has it ------------------------------------------------------------

# libxcrypt's struct crypt_data is 32768 bytes; its longest passphrase is 512 bytes (crypt.h)
_C_DATA_SIZE = 32768
_C_MAX_PHRASE = 512
_C_VECTOR = (b"admin", b"BQ5hoXV9", "RxmaDUO33TS7O26yeMHZ81")

_C_LOCAL = threading.local()


def _c_body(word: bytes, salt: bytes) -> str | None:
    """The md5-crypt body from the C library's ``crypt_r``, or None when it cannot give it (then hashlib does)."""
    crypt_r = _c_function()
    if crypt_r is None or b"\0" in word or len(word) >= _C_MAX_PHRASE:
        return None
    return _c_call(crypt_r, word, salt)


def _c_call(crypt_r, word: bytes, salt: bytes) -> str | None:
    data = getattr(_C_LOCAL, "data", None)
    if data is None:
        data = _C_LOCAL.data = ctypes.create_string_buffer(_C_DATA_SIZE)
    setting = b"$1$" + salt + b"$"
    result = crypt_r(word, setting, data)
    if not result or not result.startswith(setting):
        return None  # "*0" / "*1": the library refused this input
    found = result[len(setting):].decode("ascii", "replace")
    return found if len(found) == 22 else None


@functools.lru_cache(maxsize=None)
def _c_function():
    """``crypt_r`` once it gave the known answer, else None; looked up once (two threads may both look: harmless)."""
    crypt_r = None
    # the usual soname first: find_library runs ldconfig, a process, in every Ansible worker that hashes
    for name in ("libcrypt.so.1", "find"):
        try:
            crypt_r = ctypes.CDLL(ctypes.util.find_library("crypt") if name == "find" else name).crypt_r
            break
        except (OSError, AttributeError, TypeError):
            continue
    if crypt_r is None:
        return None
    crypt_r.restype = ctypes.c_char_p
    crypt_r.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_void_p]
    word, salt, expected = _C_VECTOR
    return crypt_r if _c_call(crypt_r, word, salt) == expected else None


def _digest(pwd: bytes, salt: bytes) -> bytes:
    md5 = hashlib.md5
    alternate = md5(pwd + salt + pwd).digest()
    start = md5(pwd + _MAGIC + salt + (alternate * (len(pwd) // 16 + 1))[:len(pwd)])
    bits = len(pwd)
    while bits:
        start.update(b"\0" if bits & 1 else pwd[:1])
        bits >>= 1
    digest = start.digest()
    # Round i hashes (pwd if i is odd else the digest) + (salt unless 3 divides i) + (pwd unless 7 divides i)
    # + (the digest if i is odd else pwd). That pattern repeats every 42 rounds, so the constant parts of
    # each pair of rounds (an even one, then an odd one) are joined once, and a pair is two md5 calls.
    pairs = []
    for even in range(0, 42, 2):
        odd = even + 1
        tail = (salt if even % 3 else b"") + (pwd if even % 7 else b"") + pwd
        head = pwd + (salt if odd % 3 else b"") + (pwd if odd % 7 else b"")
        pairs.append((tail, head))
    for tail, head in pairs * (_ROUNDS // 42) + pairs[:_ROUNDS % 42 // 2]:
        digest = md5(head + md5(digest + tail).digest()).digest()
    return digest


def _encode(digest: bytes) -> str:
    """The 22 characters of the body: groups of digest bytes, 6 bits a character, least significant first."""
    chars = []
    for first, second, third in _GROUPS:
        value = digest[first] << 16 | digest[second] << 8 | digest[third]
        chars += [_ALPHABET[value >> shift & 0x3F] for shift in (0, 6, 12, 18)]
    last = digest[11]
    chars += [_ALPHABET[last & 0x3F], _ALPHABET[last >> 6]]
    return "".join(chars)


def aes_key(key: str) -> bytes:
    """AES-256 key: the raw SHA-256 digest of the key string (not of the full ``$1$`` form)."""
    _check(key, _KEY, "key must be an md5-crypt body: 1-64 characters of ./0-9A-Za-z")
    return hashlib.sha256(key.encode("ascii")).digest()


def _check(value, pattern, rule: str) -> None:
    if not isinstance(value, str) or not pattern.match(value):
        raise ValueError(rule)


def _check_word(value, name: str) -> None:
    if not isinstance(value, str):
        raise ValueError(f"{name} must be a string")
    try:
        size = len(value.encode("utf-8"))
    except UnicodeEncodeError:
        raise ValueError(f"{name} must be text that UTF-8 can encode (it holds a lone surrogate)") from None
    if size > MAX_PASSWORD_BYTES or "\0" in value:
        raise ValueError(f"{name} must be at most {MAX_PASSWORD_BYTES} bytes in UTF-8, without NUL characters")


def _check_aes_key(aeskey) -> None:
    if not isinstance(aeskey, (bytes, bytearray)) or len(aeskey) != AES_KEY_SIZE:
        raise ValueError(f"the AES key must be {AES_KEY_SIZE} bytes")


def encrypt(aeskey: bytes, plaintext: bytes) -> str:
    """Zero-pad to the block size (none when aligned), encrypt, base64 on one line."""
    _check_aes_key(aeskey)
    if not isinstance(plaintext, (bytes, bytearray)):
        raise ValueError("the plaintext must be bytes")
    padded = bytes(plaintext) + b"\0" * (-len(plaintext) % BLOCK)
    return base64.b64encode(AES.new(aeskey, AES.MODE_ECB).encrypt(padded)).decode("ascii")


def decrypt(aeskey: bytes, data: str) -> bytes:
    """Decrypt base64 ``data`` and drop zero or PKCS#7 padding.

    Raises ValueError when ``data`` is not base64 of whole AES blocks.
    """
    _check_aes_key(aeskey)
    if not isinstance(data, (str, bytes)):
        raise ValueError("the ciphertext must be a base64 string")
    try:
        raw = base64.b64decode(data, validate=True)
    except ValueError:  # binascii.Error, or a str that is not ASCII
        raise ValueError("the ciphertext is not valid base64") from None
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
