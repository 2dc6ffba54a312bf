# Copyright: (c) 2026, hashops.whatsminer contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Known-answer tests of the key, sign and AES envelope against vectors A and B (protocol.md section 4).

Vector A: real get_token inputs with the factory password. Vector B: Foreman's wire captures, whose
requests and responses must all decrypt with the key derived from its password.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from ansible_collections.hashops.whatsminer.plugins.module_utils import _crypto
from ansible_collections.hashops.whatsminer.plugins.module_utils._protocol import (
    decode_json,
    encode_encrypted,
    write_plaintext,
)

pytestmark = pytest.mark.skipif(not _crypto.HAS_CRYPTO_LIBS, reason="pycryptodome is required")

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
VECTORS = json.loads((FIXTURES / "crypto_test_vectors.json").read_text(encoding="utf-8"))
A = VECTORS["A"]
B = VECTORS["B"]
B_TOKEN = json.loads(B["get_token_response"])["Msg"]


def wire_data(wire: str) -> str:
    """The base64 ciphertext of a request (``data``) or a response (``enc``)."""
    envelope = json.loads(wire)
    return envelope["data"] if envelope.get("enc") == 1 else envelope["enc"]


def raw_plaintext(aeskey: bytes, wire: str) -> bytes:
    """The decrypted bytes with their padding still on."""
    from Crypto.Cipher import AES  # pylint: disable=import-outside-toplevel

    return AES.new(aeskey, AES.MODE_ECB).decrypt(base64.b64decode(wire_data(wire)))


# ---- vector A ----------------------------------------------------------------------------------

def test_vector_a_key_is_the_md5_crypt_body_of_the_password():
    key = _crypto.derive_key(A["admin_password"], A["salt"])
    assert key == A["key_md5crypt_body"]
    assert f"$1${A['salt']}${key}" == A["openssl_key_full"]


def test_vector_a_sign_is_md5_crypt_of_key_and_time_with_newsalt():
    assert A["key_md5crypt_body"] + A["time"] == A["sign_input"]
    assert _crypto.make_sign(A["key_md5crypt_body"], A["time"], A["newsalt"]) == A["sign"]


def test_vector_a_aes_key_is_the_raw_sha256_of_the_key_string():
    aeskey = _crypto.aes_key(A["key_md5crypt_body"])
    assert len(aeskey) == 32
    assert aeskey.hex() == A["aes_key_hex"]


def test_vector_a_plaintext_is_the_command_json_with_its_token():
    assert write_plaintext("set_led", {"param": "auto"}, A["sign"]).decode() == A["plaintext"]


@pytest.mark.parametrize("form", ["wire_request_zero_padded", "wire_request_pkcs7_padded"])
def test_vector_a_both_padded_requests_decrypt_to_the_plaintext(form):
    aeskey = bytes.fromhex(A["aes_key_hex"])
    assert _crypto.decrypt(aeskey, wire_data(A[form])).decode() == A["plaintext"]


def test_vector_a_zero_padded_request_ends_in_zero_bytes():
    raw = raw_plaintext(bytes.fromhex(A["aes_key_hex"]), A["wire_request_zero_padded"])
    padding = len(raw) - len(A["plaintext"])
    assert 0 < padding < 16
    assert raw == A["plaintext"].encode() + b"\0" * padding


def test_vector_a_pkcs7_padded_request_ends_in_pkcs7_padding():
    raw = raw_plaintext(bytes.fromhex(A["aes_key_hex"]), A["wire_request_pkcs7_padded"])
    padding = len(raw) - len(A["plaintext"])
    assert raw == A["plaintext"].encode() + bytes([padding]) * padding


def test_vector_a_encrypting_the_plaintext_reproduces_the_zero_padded_wire():
    aeskey = _crypto.aes_key(A["key_md5crypt_body"])
    data = _crypto.encrypt(aeskey, A["plaintext"].encode())
    assert encode_encrypted(data).decode() == A["wire_request_zero_padded"]


def test_vector_a_response_decrypts_to_its_plaintext():
    aeskey = bytes.fromhex(A["aes_key_hex"])
    assert _crypto.decrypt(aeskey, wire_data(A["example_response_wire"])).decode() == A["example_response_plaintext"]


def test_vector_a_encrypting_the_response_reproduces_its_wire():
    aeskey = bytes.fromhex(A["aes_key_hex"])
    data = _crypto.encrypt(aeskey, A["example_response_plaintext"].encode())
    assert json.dumps({"enc": data}, separators=(",", ":")) == A["example_response_wire"]


# ---- vector B ----------------------------------------------------------------------------------

def test_vector_b_key_and_sign_come_from_the_captured_token_reply():
    key = _crypto.derive_key(B["admin_password"], B_TOKEN["salt"])
    assert key == B["key_md5crypt_body"]
    assert _crypto.make_sign(key, B_TOKEN["time"], B_TOKEN["newsalt"]) == B["sign"]
    assert _crypto.aes_key(key).hex() == B["aes_key_hex"]


def test_vector_b_token_reply_is_the_stored_foreman_capture():
    captured = decode_json((FIXTURES / "foreman" / "get_token__whatsminer-v1.1_2020-12.json").read_bytes(), "h", "get_token")
    assert captured == json.loads(B["get_token_response"])


@pytest.mark.parametrize("request_", B["requests"], ids=lambda r: json.loads(r["decrypted"])["cmd"])
def test_vector_b_each_wire_request_decrypts_to_its_plaintext(request_):
    aeskey = bytes.fromhex(B["aes_key_hex"])
    assert _crypto.decrypt(aeskey, wire_data(request_["wire"])).decode() == request_["decrypted"]
    assert json.loads(request_["decrypted"])["token"] == B["sign"]


@pytest.mark.parametrize("request_", B["requests"], ids=lambda r: json.loads(r["decrypted"])["cmd"])
def test_vector_b_each_wire_request_is_zero_padded_as_recorded(request_):
    raw = raw_plaintext(bytes.fromhex(B["aes_key_hex"]), request_["wire"])
    padding = request_["padding_bytes"]
    assert raw == request_["decrypted"].encode() + b"\0" * padding
    assert raw[-16:].hex() == request_["decrypted_hex_tail"]


@pytest.mark.parametrize("request_", B["requests"], ids=lambda r: json.loads(r["decrypted"])["cmd"])
def test_vector_b_encrypting_each_request_reproduces_its_wire(request_):
    # Foreman always pads 1-16 zero bytes, our encrypt() 0-15: the same bytes unless a full block.
    if request_["padding_bytes"] == 16:
        pytest.skip("Foreman added a full zero block; encrypt() adds none to an aligned plaintext")
    aeskey = bytes.fromhex(B["aes_key_hex"])
    data = _crypto.encrypt(aeskey, request_["decrypted"].encode())
    assert encode_encrypted(data).decode() == request_["wire"]


@pytest.mark.parametrize("response", B["responses"], ids=["write_ok", "code45"])
def test_vector_b_each_wire_response_decrypts_and_is_zero_padded(response):
    aeskey = bytes.fromhex(B["aes_key_hex"])
    assert _crypto.decrypt(aeskey, wire_data(response["wire"])).decode() == response["decrypted"]
    raw = raw_plaintext(aeskey, response["wire"])
    assert raw == response["decrypted"].encode() + b"\0" * response["padding_bytes"]


@pytest.mark.parametrize("response", B["responses"], ids=["write_ok", "code45"])
def test_vector_b_encrypting_each_response_reproduces_its_wire(response):
    aeskey = bytes.fromhex(B["aes_key_hex"])
    data = _crypto.encrypt(aeskey, response["decrypted"].encode())
    assert json.dumps({"enc": data}, separators=(",", ":")) == response["wire"]


@pytest.mark.parametrize("name, response", [
    ("write_ok", B["responses"][0]),
    ("error_code45_write_disabled", B["responses"][1]),
])
def test_vector_b_responses_are_the_stored_foreman_captures(name, response):
    wire = (FIXTURES / "foreman" / f"enc_response_wire__{name}__whatsminer-v1.1.json").read_text(encoding="utf-8")
    decrypted = (FIXTURES / "foreman" / f"enc_response_decrypted__{name}__whatsminer-v1.1.json").read_text(encoding="utf-8")
    assert json.loads(wire) == json.loads(response["wire"])
    assert json.loads(decrypted) == json.loads(response["decrypted"])


# ---- padding and malformed input ---------------------------------------------------------------

def test_encrypt_adds_no_padding_to_an_aligned_plaintext():
    aeskey = bytes.fromhex(A["aes_key_hex"])
    plaintext = b"{" + b"x" * 30 + b"}"
    assert len(base64.b64decode(_crypto.encrypt(aeskey, plaintext))) == 32
    assert _crypto.decrypt(aeskey, _crypto.encrypt(aeskey, plaintext)) == plaintext


def test_encrypted_data_is_one_line_of_standard_base64():
    aeskey = bytes.fromhex(B["aes_key_hex"])
    data = _crypto.encrypt(aeskey, json.loads(B["requests"][2]["wire"])["data"].encode())
    assert "\n" not in data
    assert base64.b64encode(base64.b64decode(data, validate=True)).decode() == data


@pytest.mark.parametrize("data", ["not base64!", base64.b64encode(b"short").decode(), ""])
def test_decrypt_rejects_what_is_not_whole_aes_blocks(data):
    with pytest.raises(ValueError):
        _crypto.decrypt(bytes.fromhex(A["aes_key_hex"]), data)


@pytest.mark.parametrize("plain, expected", [
    (b"{}" + b"\0" * 14, b"{}"),
    (b"{}" + bytes([14]) * 14, b"{}"),
    (b"{" + b"x" * 14 + b"}" + bytes([16]) * 16, b"{" + b"x" * 14 + b"}"),
    (b"{" + b"x" * 14 + b"}", b"{" + b"x" * 14 + b"}"),
])
def test_strip_padding_removes_zero_or_pkcs7_padding_only(plain, expected):
    assert _crypto.strip_padding(plain) == expected


# ---- inputs from a hostile miner: ValueError with a sentence, never another exception --------------

SALT_RULE = "salt must be 1-8 characters of ./0-9A-Za-z"


@pytest.mark.parametrize("salt", ["ab$cd", "BQ5hoXV9x", "", "BQ5h oX", "\udcff", "é", "ab\ncd", None, 8, b"BQ5hoXV9"])
def test_a_salt_the_miner_should_not_send_is_a_value_error_with_the_rule(salt):
    with pytest.raises(ValueError) as caught:
        _crypto.derive_key("admin", salt)
    assert type(caught.value) is ValueError  # pylint: disable=unidiomatic-typecheck
    assert str(caught.value) == SALT_RULE


@pytest.mark.parametrize("newsalt", ["ab$cd", "P5NTAcEpX", "", None])
def test_a_bad_newsalt_is_a_value_error_with_the_rule(newsalt):
    with pytest.raises(ValueError, match="^newsalt must be 1-8 characters of ./0-9A-Za-z$"):
        _crypto.make_sign(A["key_md5crypt_body"], A["time"], newsalt)


@pytest.mark.parametrize("time_", ["1" * 4100, "1" * 33, "\udcff", "", "50\x0039", "５０３９", None, 5039])
def test_a_bad_time_is_a_value_error_with_the_rule(time_):
    with pytest.raises(ValueError) as caught:
        _crypto.make_sign(A["key_md5crypt_body"], time_, A["newsalt"])
    assert type(caught.value) is ValueError  # pylint: disable=unidiomatic-typecheck
    assert str(caught.value) == "time must be 1-32 printable ASCII characters (the miner sends 4 digits)"


def test_a_time_of_up_to_32_printable_characters_is_hashed_as_sent():
    assert _crypto.make_sign(A["key_md5crypt_body"], "1592555626", A["newsalt"])
    assert _crypto.make_sign(A["key_md5crypt_body"], "x" * 32, A["newsalt"])


@pytest.mark.parametrize("key", ["", "$1$BQ5hoXV9$RxmaDUO33TS7O26yeMHZ81", "\udcff", "é" * 22, None])
def test_a_bad_key_is_a_value_error(key):
    with pytest.raises(ValueError, match="^key must be an md5-crypt body"):
        _crypto.make_sign(key, A["time"], A["newsalt"])
    with pytest.raises(ValueError, match="^key must be an md5-crypt body"):
        _crypto.aes_key(key)


@pytest.mark.parametrize("password", ["x" * 4097, "é" * 2049, "adm\x00in", "\udcffsecret", None, b"admin"])
def test_a_password_passlib_refuses_is_a_value_error_that_does_not_show_it(password):
    with pytest.raises(ValueError) as caught:
        _crypto.derive_key(password, A["salt"])
    assert type(caught.value) is ValueError  # pylint: disable=unidiomatic-typecheck
    assert str(caught.value).startswith("the password must be")
    if isinstance(password, str):
        assert password not in str(caught.value)


def test_any_password_passlib_takes_is_derived():
    assert len(_crypto.derive_key("", A["salt"])) == 22
    assert len(_crypto.derive_key("é" * 2048, A["salt"])) == 22


@pytest.mark.parametrize("data", [None, 42, ["a"], "é" * 24, "AAAA\udcff", "=" * 24, "A" * 23])
def test_decrypt_of_anything_but_base64_blocks_is_a_value_error(data):
    with pytest.raises(ValueError) as caught:
        _crypto.decrypt(bytes.fromhex(A["aes_key_hex"]), data)
    assert type(caught.value) is ValueError  # pylint: disable=unidiomatic-typecheck


@pytest.mark.parametrize("aeskey", [b"", b"k" * 16, "k" * 32, None])
def test_an_aes_key_of_the_wrong_size_or_type_is_a_value_error(aeskey):
    with pytest.raises(ValueError, match="^the AES key must be 32 bytes$"):
        _crypto.encrypt(aeskey, b"{}")
    with pytest.raises(ValueError, match="^the AES key must be 32 bytes$"):
        _crypto.decrypt(aeskey, base64.b64encode(b"\0" * 16).decode())


def test_encrypt_takes_bytes_only():
    with pytest.raises(ValueError, match="^the plaintext must be bytes$"):
        _crypto.encrypt(bytes.fromhex(A["aes_key_hex"]), "{}")
