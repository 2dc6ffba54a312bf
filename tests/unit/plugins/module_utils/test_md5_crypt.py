# Copyright: (c) 2026, hashops.whatsminer contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Both md5-crypts (the C library's ``crypt_r``, ours on hashlib) give passlib's md5_crypt bodies:
the known-answer vectors, then random inputs. Every test runs once for each."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from ansible_collections.hashops.whatsminer.plugins.module_utils import _crypto

VECTORS = json.loads((Path(__file__).resolve().parents[2] / "fixtures" / "crypto_test_vectors.json")
                     .read_text(encoding="utf-8"))
SALT_CHARS = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


@pytest.fixture(autouse=True, params=["libcrypt", "hashlib"])
def implementation(request, monkeypatch):
    if request.param == "hashlib":
        monkeypatch.setattr(_crypto, "_c_body", lambda word, salt: None)
    elif _crypto._c_body(b"admin", b"BQ5hoXV9") is None:  # pylint: disable=protected-access
        pytest.skip("this machine's C library has no md5-crypt ($1$)")
    return request.param


def test_the_c_library_is_used_where_it_has_md5_crypt(implementation):
    if implementation == "libcrypt":
        assert _crypto._c_body(b"s3cret", b"BQ5hoXV9") == passlib_body("s3cret", "BQ5hoXV9")  # pylint: disable=protected-access


def test_the_c_library_declines_what_it_cannot_hash_and_the_loop_takes_it():
    assert _crypto._c_body(b"a\0b", b"BQ5hoXV9") is None  # pylint: disable=protected-access
    assert _crypto._c_body(b"x" * 600, b"BQ5hoXV9") is None  # pylint: disable=protected-access
    assert _crypto.md5_crypt_body("x" * 600, "BQ5hoXV9") == passlib_body("x" * 600, "BQ5hoXV9")


def passlib_body(word: str, salt: str) -> str:
    md5_crypt = pytest.importorskip("passlib.hash").md5_crypt
    return md5_crypt.using(salt=salt).hash(word).split("$")[3]


@pytest.mark.parametrize("name", ["A", "B"])
def test_the_key_of_each_vector_is_its_recorded_md5_crypt_body(name):
    vector = VECTORS[name]
    salt = vector["salt"] if name == "A" else json.loads(vector["get_token_response"])["Msg"]["salt"]
    assert _crypto.md5_crypt_body(vector["admin_password"], salt) == vector["key_md5crypt_body"]


def test_the_sign_of_vector_a_is_md5_crypt_of_its_recorded_input():
    vector = VECTORS["A"]
    assert _crypto.md5_crypt_body(vector["sign_input"], vector["newsalt"]) == vector["sign"]


# lengths around the 16-byte digest, the 42-round cycle and the largest password allowed
@pytest.mark.parametrize("length", [0, 1, 7, 15, 16, 17, 31, 32, 33, 42, 64, 255, 1000, 4096])
def test_every_length_gives_the_body_passlib_gives(length):
    word = ("s3cret-" * 600)[:length]
    for salt in ("B", "BQ5hoXV9", "./", "zZ09"):
        assert _crypto.md5_crypt_body(word, salt) == passlib_body(word, salt), (length, salt)


def test_random_passwords_and_salts_give_the_bodies_passlib_gives():
    rng = random.Random(20261202)
    for _case in range(400):
        # printable ASCII and text beyond it (UTF-8 of 2 and 3 bytes), as an operator might type
        word = "".join(chr(rng.choice((rng.randrange(32, 127), rng.randrange(0xA0, 0x800), rng.randrange(0x800, 0xD000))))
                       for _i in range(rng.randrange(0, 70)))
        salt = "".join(rng.choice(SALT_CHARS) for _i in range(rng.randrange(1, 9)))
        assert _crypto.md5_crypt_body(word, salt) == passlib_body(word, salt), (word, salt)


def test_the_body_is_22_characters_of_the_crypt_alphabet():
    body = _crypto.md5_crypt_body("admin", "BQ5hoXV9")
    assert len(body) == 22 and set(body) <= set(SALT_CHARS)
