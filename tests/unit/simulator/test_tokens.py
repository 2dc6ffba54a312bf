"""get_token, the sign, the AES envelope and the token table, per protocol.md sections 3 to 6."""

from __future__ import annotations

import base64
import json
import time

import pytest
from Crypto.Cipher import AES

from simclient import API205, BTMINER, PASSWORD, Session, exchange, parse, read, start_farm

import _crypto


def test_get_token_time_is_the_last_four_digits_of_the_epoch(farm):
    before = int(time.time())
    reply = read(farm.miners[API205], "get_token")
    after = int(time.time())
    assert reply["Code"] == 134 and reply["STATUS"] == "S"
    assert len(reply["Msg"]["time"]) == 4
    assert reply["Msg"]["time"] in {"%04d" % (t % 10000) for t in range(before, after + 1)}


def test_salt_is_stable_for_the_password_and_newsalt_is_new_each_time(farm):
    first = read(farm.miners[API205], "get_token")["Msg"]
    second = read(farm.miners[API205], "get_token")["Msg"]
    assert first["salt"] == second["salt"] and len(first["salt"]) == 8
    assert first["newsalt"] != second["newsalt"] and len(first["newsalt"]) == 8
    assert first["salt"] == farm.state(farm.miners[API205])["password_salt"]


def test_daemon_description_follows_the_persona(farm):
    assert read(farm.miners[BTMINER], "get_token")["Description"] == "whatsminer v1.4.0"
    assert read(farm.miners[API205], "get_token")["Description"] == ""


def test_token_is_reused_for_several_writes(farm):
    session = Session(farm.miners[API205], PASSWORD)
    for color in ("red", "green", "red"):
        assert session.write("set_led", color=color, period=200, duration=100, start=0)["Code"] == 131
    assert [w["code"] for w in farm.writes(farm.miners[API205])] == [131, 131, 131]


def test_wrong_password_answers_code_23(farm):
    session = Session(farm.miners[API205], "wrongpw")
    reply = parse(exchange(farm.miners[API205], session.envelope("set_led", param="auto")))
    assert (reply["STATUS"], reply["Code"], reply["Msg"]) == ("E", 23, "json cmd err")
    assert farm.writes(farm.miners[API205]) == []


def test_unknown_token_answers_encrypted_code_135(farm):
    session = Session(farm.miners[API205], PASSWORD)
    session.sign = "NotAValidSignAtAll0000"
    raw = exchange(farm.miners[API205], session.envelope("set_led", param="auto"))
    assert "enc" in parse(raw)
    reply = session.open_reply(raw)
    assert (reply["STATUS"], reply["Code"], reply["Msg"]) == ("E", 135, "check token err")
    assert farm.writes(farm.miners[API205])[-1]["code"] == 135


def test_bad_base64_answers_plaintext_code_137(farm):
    reply = parse(exchange(farm.miners[API205], {"enc": 1, "data": "not base64 at all!"}))
    assert (reply["STATUS"], reply["Code"]) == ("E", 137)


def test_pkcs7_padded_request_is_accepted_like_zero_padding(farm):
    session = Session(farm.miners[API205], PASSWORD)
    body = json.dumps({"cmd": "set_led", "param": "auto", "token": session.sign}).encode()
    pad = 16 - len(body) % 16
    data = base64.b64encode(AES.new(session.aes, AES.MODE_ECB).encrypt(body + bytes([pad]) * pad)).decode()
    reply = session.open_reply(exchange(farm.miners[API205], {"enc": 1, "data": data}))
    assert reply["Code"] == 131


def test_reply_is_zero_padded_aes_of_the_daemon_envelope(farm):
    session = Session(farm.miners[API205], PASSWORD)
    raw = parse(exchange(farm.miners[API205], session.envelope("set_led", param="auto")))
    plain = AES.new(session.aes, AES.MODE_ECB).decrypt(base64.b64decode(raw["enc"]))
    assert plain.rstrip(b"\0") == plain.rstrip(b"\0").strip() and (plain.endswith(b"\0") or len(plain) % 16 == 0)
    assert json.loads(plain.rstrip(b"\0"))["Msg"] == "API command OK"


def test_encrypted_read_is_answered_encrypted(farm):
    session = Session(farm.miners[API205], PASSWORD)
    reply = session.write("get_version")
    assert reply["Msg"]["api_ver"] == "2.0.5"
    assert farm.writes(farm.miners[API205]) == []


def test_plaintext_write_is_refused_with_code_135(farm):
    reply = read(farm.miners[API205], "set_led", param="auto")
    assert (reply["STATUS"], reply["Code"]) == ("E", 135)
    assert farm.state(farm.miners[API205])["led"] == {"mode": "auto"}


def test_token_table_full_for_one_client_answers_136(farm):
    host = farm.miners[API205]
    for _i in range(32):
        assert read(host, "get_token")["Code"] == 134
    reply = read(host, "get_token")
    assert (reply["STATUS"], reply["Code"], reply["Msg"]) == ("E", 136, "over max connect")
    assert farm.state(host)["tokens_active"] == 32


def test_token_table_full_across_clients_answers_136(farm):
    host = farm.miners[API205]
    sources = ["127.0.0.%d" % n for n in range(20, 24)]
    for source in sources:
        for _i in range(25):
            assert parse(exchange(host, {"cmd": "get_token"}, source=source))["Code"] == 134
    assert parse(exchange(host, {"cmd": "get_token"}, source="127.0.0.30"))["Code"] == 136


def test_password_change_gives_a_new_salt_and_voids_old_tokens(farm):
    host = farm.miners[API205]
    session = Session(host, PASSWORD)
    old_salt = session.token_reply["Msg"]["salt"]
    assert session.write("update_pwd", old=PASSWORD, new="n3w_pw")["Code"] == 131
    # the old key no longer decrypts on the miner, so the reply is the plaintext 23
    assert parse(exchange(host, session.envelope("set_led", param="auto")))["Code"] == 23
    fresh = Session(host, "n3w_pw")
    assert fresh.token_reply["Msg"]["salt"] != old_salt
    assert fresh.write("set_led", param="auto")["Code"] == 131
    assert [w["params"] for w in farm.writes(host) if w["command"] == "update_pwd"] == [
        {"old": "********", "new": "********", "token": "********"}]


@pytest.fixture(scope="module")
def short_ttl_farm(tmp_path_factory):
    started = start_farm(tmp_path_factory, "--token-ttl", "1", miners=1, personas="api205")
    yield started
    started.stop()


def test_expired_token_answers_135(short_ttl_farm):
    host = short_ttl_farm.miners[0]
    session = Session(host, PASSWORD)
    assert session.write("set_led", param="auto")["Code"] == 131
    time.sleep(1.2)
    assert session.write("set_led", param="auto")["Code"] == 135


def test_factory_password_admin_has_the_factory_salt(tmp_path_factory):
    started = start_farm(tmp_path_factory, "--password", "admin", miners=1, personas="btminer2021")
    try:
        host = started.miners[0]
        assert read(host, "get_token")["Msg"]["salt"] == "BQ5hoXV9"
        session = Session(host, "admin")
        assert session.key == "RxmaDUO33TS7O26yeMHZ81"
        assert session.write("set_led", param="auto")["Code"] == 131
    finally:
        started.stop()


def test_vector_a_sign_is_what_the_miner_expects():
    assert _crypto.make_sign(_crypto.derive_key("admin", "BQ5hoXV9"), "5039", "P5NTAcEp") == "W7vZynrBZBwIIjR5dvDJb0"
