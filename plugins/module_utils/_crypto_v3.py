# Copyright: (c) 2026, hashops.whatsminer contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# This module is private to the collection: it can change or go away without notice.
"""API V3 write credentials: the per-command token and the AES key of encrypted parameters.

Pure functions, no I/O and no Ansible import: the simulator uses them too (docs/protocol_v3.md,
"Writes"). For one ``set.*`` command at Unix time ``ts``:

- digest = SHA-256(cmd + password + salt + str(ts)), 32 raw bytes (matroskin "Token Generation",
  pyasic ``BTMinerV3RPCAPI.send_command``, Tether ``wm-api-v3.js _generateToken``);
- token = the first 8 characters of base64(digest);
- an encrypted parameter (``set.miner.pools``, ``set.user.change_passwd``) is the JSON text of the
  parameter, AES-256-ECB with the digest as key, PKCS#7-padded, base64-encoded (matroskin, mdk).

Contract as in _crypto: input it cannot use raises ValueError, and only ValueError, with a
sentence that never quotes a secret.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json

try:
    from Crypto.Cipher import AES
except ImportError:
    AES = None  # _crypto.HAS_CRYPTO_LIBS tells the modules; here, encrypting fails with a ValueError

TOKEN_LENGTH = 8
BLOCK = 16


def digest(command: str, password: str, salt: str, ts: int) -> bytes:
    """SHA-256 of command + password + salt + ts: the token's source and the AES key."""
    for name, value in (("command", command), ("password", password), ("salt", salt)):
        if not isinstance(value, str) or not value:
            raise ValueError(f"the V3 {name} must be a non-empty string")
    if isinstance(ts, bool) or not isinstance(ts, int) or ts < 0:
        raise ValueError("the V3 timestamp must be a non-negative integer")
    return hashlib.sha256(f"{command}{password}{salt}{ts}".encode("utf-8")).digest()


def token(key: bytes) -> str:
    """The first 8 characters of base64(digest)."""
    return base64.b64encode(key).decode("ascii")[:TOKEN_LENGTH]


def encrypt_param(key: bytes, value) -> str:
    """base64(AES-256-ECB(PKCS#7(JSON text of value)))."""
    if AES is None:
        raise ValueError("pycryptodome is not installed")
    plain = json.dumps(value, separators=(",", ":")).encode("utf-8")
    pad = BLOCK - len(plain) % BLOCK
    return base64.b64encode(AES.new(key, AES.MODE_ECB).encrypt(plain + bytes([pad]) * pad)).decode("ascii")


def decrypt_param(key: bytes, text: str):
    """The value ``encrypt_param`` sealed; ValueError for anything else."""
    if AES is None:
        raise ValueError("pycryptodome is not installed")
    try:
        data = base64.b64decode(text, validate=True)
    except (binascii.Error, TypeError, ValueError):
        raise ValueError("the encrypted parameter is not base64") from None
    if not data or len(data) % BLOCK:
        raise ValueError("the encrypted parameter is not a whole number of AES blocks")
    plain = AES.new(key, AES.MODE_ECB).decrypt(data)
    pad = plain[-1]
    if not 1 <= pad <= BLOCK or plain[-pad:] != bytes([pad]) * pad:
        raise ValueError("the encrypted parameter has no valid PKCS#7 padding (wrong key?)")
    try:
        return json.loads(plain[:-pad].decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise ValueError("the encrypted parameter does not decrypt to JSON (wrong key?)") from None
