"""API V3 on TCP 4433 for personas whose firmware has it (docs/protocol_v3.md; protocol.md section 13).

Real 2024-11+ firmware answers V3 beside the degraded V2 port, and clients such as pyasic identify such a
miner only through V3 (`get.device.info`). Framing: 4-byte little-endian length + JSON, both ways; a
connection may carry several requests (Tether mock server.js reads frames in a loop); a frame of length 0 is
the heartbeat and is not answered (matroskin "Overview": heartbeat 0x00,0x00,0x00,0x00). At most
MAX_CLIENTS connections at once (matroskin "Overview": 10 concurrent clients); simulator choice, as no source
says what the 11th gets: it is closed at once, before anything is read.

Reads: `get.device.info` (optionally one section), `get.miner.status` (summary / pools / edevs joined by `+`),
`get.miner.setting`, `get.fan.setting`, `get.log.download` (a framed size, then the tarball) and
`get.device.custom_data` (v3custom.py). Writes (`set.*`, v3writes.py)
need `ts`, `account` "super" and the token of
plugins/module_utils/_crypto_v3.py over the miner's admin password and the salt of `get.device.info`; the
parameters of `set.miner.pools` and `set.user.change_passwd` arrive AES-encrypted with the token's digest
(matroskin "Token Generation"). A write is refused with -4 "no permission" while the write API is off or the
password is still the factory one (matroskin "Overview"), and - simulator choice, no source shows the reply
to a bad token - when the token does not match. The miner's state, write log and faults are those of port
4028: a fault names V2 commands, and takes the V3 request that reads or does the same (V2_EQUIVALENT).
`set.system.update_firmware` passes the same checks, then v3firmware.py takes the upload.
"""

from __future__ import annotations

import asyncio
import json
import struct
import time

import _crypto_v3
import faults as faults_mod
import replies
import tokens as tokens_mod
import transfers
import v3custom
import v3firmware
import v3system
import v3writes
import writes

MAX_REQUEST_BYTES = 64 * 1024
MAX_CLIENTS = 10
STATUS_SECTIONS = ("summary", "pools", "edevs")
ENCRYPTED = ("set.miner.pools", "set.user.change_passwd")
# A "code" fault names a V2 code; V3 answers the code of the same meaning (Tether constants.js maps them so).
V3_CODE_FOR_V2 = {14: -2, 23: -3, 45: -4, 132: -1}
# The V2 commands whose data a V3 read carries: a fault on any of them takes the V3 read too.
V2_EQUIVALENT = {
    "get.device.info": ("get_version", "get_miner_info", "devdetails", "get_psu", "get_error_code"),
    "get.miner.setting": ("status",),
    "get.log.download": ("download_logs",),
    "get.device.custom_data": ("get_customer_msg",),
    v3firmware.COMMAND: (v3firmware.V2_COMMAND,),  # a write with no v3writes translation: v3firmware.py
}


# Tether's mock set.miner.heat_mode names anti-icing "anti-freezing" (the manual's other name for it, 3.30); no
# source shows V3's name for power-keeping, so it keeps V2's (simulator choice).
V3_HEAT_MODES = {"anti-icing": "anti-freezing"}


def _reply(command: str, code: int, msg) -> dict:
    return {"code": code, "when": int(time.time()), "msg": msg, "desc": command}


def device_info(miner, view) -> dict:
    s = view.settings
    hw = view.hardware
    template = view.persona.templates["v3_get_device_info"]["msg"]
    miner_values = {
        "board-num": str(hw.boards), "detect-hash-rate": ":".join(str(g) for g in view.identity.board_ghs),
        "fast-boot": "enable" if s.fast_boot else "disable", "hash-percent": str(s.target_freq_pct),
        "miner-sn": view.identity.miner_sn, "type": hw.variant, "working": "true" if s.mining else "false",
    }
    section = {}
    for key, sample in template["miner"].items():
        if key.startswith("chipdata") or key.startswith("pcbsn"):
            continue
        section[key] = miner_values.get(key, sample)
    # the limit as set, "" for the vendor's (pyasic BTMinerV3Miner power_limit_set, asic-rs WattageLimit
    # /msg/miner/power-limit-set, Tether mock get.device.info); the asic-rs capture's firmware leaves it out
    section["power-limit-set"] = "" if s.power_limit_w is None else str(s.power_limit_w)
    for slot in range(hw.boards):
        section["chipdata%d" % slot] = hw.chip_data
        section["pcbsn%d" % slot] = view.identity.pcb_sns[slot]
    network = dict(s.network, hostname=s.hostname, mac=view.identity.mac)
    power = replies.fill(template["power"], {
        "fanspeed": view.reading.psu_fan, "hwversion": hw.psu["hw_version"], "model": hw.psu["model"],
        "sn": view.identity.psu_sn, "swversion": hw.psu["sw_version"], "type": hw.psu["model"]})
    system = replies.fill(template["system"], {
        "apiswitch": "1" if s.write_api else "0", "fwversion": s.firmware_version,
        "ledstatus": "auto" if s.led.get("mode") == "auto" else "manual", "platform": hw.platform})
    msg = {}
    if s.errors:
        msg["error-code"] = [{str(code): when, "reason": "error %d" % code} for code, when in s.errors]
    msg.update({"miner": dict(sorted(section.items())), "network": {k: network[k] for k in sorted(template["network"])},
                "power": power, "salt": miner.credential.salt, "system": system})
    return msg


def miner_status(view, sections: list) -> dict:
    r = view.reading
    msg = {}
    for section in sections:
        if section == "summary":
            msg["summary"] = replies.fill(view.persona.templates["v3_get_miner_status_summary"]["msg"]["summary"], {
                "board-temperature": [b.temperature for b in r.boards], "bootup-time": int(r.uptime),
                "chip-temp-avg": r.chip_temp_avg, "chip-temp-max": r.chip_temp_max, "chip-temp-min": r.chip_temp_min,
                "elapsed": int(r.elapsed), "environment-temperature": r.env_temp,
                "factory-hash": round(r.factory_ghs / 1000.0, 3), "fan-speed-in": r.fan_in, "fan-speed-out": r.fan_out,
                "freq-avg": r.freq_avg, "hash-15min": round(r.mhs_15m / 1e6, 3), "hash-1min": round(r.mhs_1m / 1e6, 3),
                "hash-average": round(r.mhs_av / 1e6, 3), "hash-realtime": round(r.hs_rt / 1e6, 3),
                "power-5min": r.power_w, "power-limit": r.power_limit_w,
                "power-rate": round(r.power_w / (r.mhs_av / 1e6), 2) if r.mhs_av else 0.0, "power-realtime": r.power_w,
                "up-freq-finish": 1 if r.hash_stable else 0,
            })
        elif section == "pools":
            active = next((i for i, p in enumerate(view.settings.pools) if p.url), None)
            msg["pools"] = [{"id": i + 1, "account": p.user, "pool-priority": i, "status": "alive" if p.url else "dead",
                             "stratum-active": i == active and r.mining, "url": p.url}
                            for i, p in enumerate(view.settings.pools)]
        elif section == "edevs":
            msg["edevs"] = [{"chip-temp-avg": b.chip_temp_avg, "chip-temp-max": b.chip_temp_max,
                             "chip-temp-min": b.chip_temp_min, "effective-chips": b.chips,
                             "factory-hash": round(b.factory_ghs / 1000.0, 2), "freq": float(b.chip_freq),
                             "hash-average": round(b.mhs_av / 1e6, 2), "hash-realtime": round(b.hs_rt / 1e6, 2),
                             "id": b.slot, "status": "alive"} for b in r.boards]
    return msg


def miner_setting(view) -> dict:
    """Field set as the Tether worker documents it for api 3.0.5 firmware."""
    s = view.settings
    return {
        "power-limit": view.reading.power_limit_w, "upfreq-speed": s.upfreq_speed, "power-mode": s.power_mode,
        "fast-boot": "enable" if s.fast_boot else "disable", "fast-hash": "disable", "heat-mode": V3_HEAT_MODES.get(s.heat_mode, s.heat_mode),
        "target-freq": s.target_freq_pct, "power": int(view.reading.power_w), "power-percent": s.power_pct,
        "btrom-worker-suffix": "",
    }


def fan_setting(view) -> dict:
    """Keys and 0/1 flags of matroskin's get.fan.setting example (its get.* were tried on hardware)."""
    s = view.settings
    return {"fan-poweroff-cool": int(s.poweroff_cool), "fan-zero-speed": int(s.fan_zero_speed),
            "fan-temp-offset": s.temp_offset}


def _no_permission(command: str) -> dict:
    return _reply(command, -4, "no permission")


def v2_names(command: str, param) -> str:
    """The '+'-joined V2 names a fault for this request may name (faults.Fault.matches splits on '+')."""
    if command == "get.miner.status":
        return str(param or "summary")
    if command == "get.device.info" and param == "salt":
        return "get.device.info+get_token"  # the salt request is V3's get_token
    if command.startswith("set."):
        try:
            return "+".join((command, v3writes.translate(command, param)[0]))
        except ValueError:
            return "+".join((command,) + V2_EQUIVALENT.get(command, ()))
    return "+".join((command,) + V2_EQUIVALENT.get(command, ()))


def read_answer(miner, command: str, param) -> dict:
    view = miner.view()
    if command == "get.device.info":
        msg = device_info(miner, view)
        if isinstance(param, str) and param:
            return _reply(command, 0, {param: msg.get(param, [] if param == "error-code" else {})})
        return _reply(command, 0, msg)
    if command == "get.miner.status":
        sections = [p for p in str(param or "summary").split("+") if p in STATUS_SECTIONS]
        if not sections:
            return _reply(command, -3, "param error")
        return _reply(command, 0, miner_status(view, sections))
    if command == "get.miner.setting":
        return _reply(command, 0, miner_setting(view))
    if command == "get.fan.setting":
        return _reply(command, 0, fan_setting(view))
    if command == "get.device.custom_data":
        return _reply(command, 0, v3custom.custom_data(view.settings))
    if command == "get.system.setting":  # matroskin get.system.setting (v3system.py)
        return _reply(command, 0, v3system.system_setting(view))
    return _reply(command, -2, "invalid command")


def authorised(miner, request: dict) -> tuple:
    """(key, None) when the token is this miner's, else (None, the -4 reply)."""
    command = request["cmd"]
    ts, token = request.get("ts"), request.get("token")
    password = miner.v3_password
    if not miner.settings.write_api or password == tokens_mod.FACTORY_PASSWORD:
        return None, _no_permission(command)
    if request.get("account") != "super" or isinstance(ts, bool) or not isinstance(ts, int) or not isinstance(token, str):
        return None, _no_permission(command)
    key = _crypto_v3.digest(command, password, miner.credential.salt, ts)
    if _crypto_v3.token(key) != token:
        return None, _no_permission(command)
    return key, None


def opened_param(command: str, param, key: bytes):
    """The parameter as sent, decrypted for the commands that send it encrypted; ValueError if it will not open."""
    if command in ENCRYPTED:
        if not isinstance(param, str):
            raise ValueError("encrypted param expected")
        return _crypto_v3.decrypt_param(key, param)
    return param


class Session:
    """One V3 connection: its writer and the peer, for the write path."""

    def __init__(self, reader, writer) -> None:
        self.reader = reader
        self.writer = writer

    async def send(self, reply: dict) -> None:
        data = json.dumps(reply, separators=(",", ":")).encode("utf-8")
        self.writer.write(struct.pack("<I", len(data)) + data)
        await self.writer.drain()


async def handle(miner, session: Session, request: dict) -> bool:
    """Answer one request; False when the connection must end (a fault or a restart took it)."""
    command = request.get("cmd")
    param = request.get("param")
    if not isinstance(command, str):
        await session.send(_reply("", -2, "invalid command"))
        return True
    is_write = command.startswith("set.")
    fault = miner.faults.take(v2_names(command, param), api="v3")
    key = None
    if fault is not None:
        if fault.kind == "refuse":
            session.writer.transport.abort()
            return False
        if fault.kind in ("hang", "no_reply"):
            if is_write:
                miner.v3_log(command, param, None, fault=fault.kind)
            if fault.kind == "hang":
                await asyncio.sleep(miner.config.hang_seconds)
            return False
        if fault.kind == "code":
            code = V3_CODE_FOR_V2.get(fault.code, -1)
            if is_write:
                miner.v3_log(command, param, code, fault="code")
            await session.send(_reply(command, code, faults_mod.MESSAGES.get(fault.code, "API command ERROR")))
            return True
    if command == "get.log.download":
        await _download_logs(miner, session)
        return False
    if not is_write:
        reply = read_answer(miner, command, param)
        return await _send_faulty(session, reply, fault)
    key, refusal = authorised(miner, request)
    if refusal is not None:
        miner.v3_log(command, None, -4)
        await session.send(refusal)
        return True
    try:
        param = opened_param(command, param, key)
    except ValueError:
        miner.v3_log(command, None, -1)
        await session.send(_reply(command, -1, "param decrypt error"))
        return True
    if command == v3firmware.COMMAND:
        return await v3firmware.update_firmware(miner, session, fault, _reply, _send_faulty)
    return await _write(miner, session, command, param, fault)


async def _send_faulty(session: Session, reply: dict, fault) -> bool:
    """Send, spoiled as a malformed or truncate fault asks (faults.py)."""
    data = json.dumps(reply, separators=(",", ":")).encode("utf-8")
    if fault is not None and fault.kind == "malformed":
        data = data.replace(b":", b"=", 1)
    frame = struct.pack("<I", len(data)) + data
    if fault is not None and fault.kind == "truncate":
        session.writer.write(frame[:max(1, len(frame) // 2)])
        await session.writer.drain()
        session.writer.transport.close()
        return False
    session.writer.write(frame)
    await session.writer.drain()
    return True


async def _write(miner, session: Session, command: str, param, fault) -> bool:
    if command == "set.user.change_passwd" or command in v3system.WRITES:
        v2_command, v2_params = None, None
    else:
        try:
            v2_command, v2_params = v3writes.translate(command, param)
        except v3writes.Unknown:
            miner.v3_log(command, param, -2)
            await session.send(_reply(command, -2, "invalid command"))
            return True
        except writes.ParamError as err:
            miner.v3_log(command, param, -1)
            await session.send(_reply(command, -1, str(err)))
            return True
    stale = miner.faults.take(v2_names(command, param), stale=True, api="v3")
    snapshot = miner._stale_snapshot() if stale is not None else None  # pylint: disable=protected-access
    marks = {"fault": "stale"} if stale is not None else {}
    network_before = dict(miner.settings.network)
    if command in v3system.WRITES:  # no V2 twin (set.system.time_randomized)
        outcome = v3system.WRITES[command](miner, param)
    elif v2_command is None:
        outcome = _change_password(miner, param)
    else:
        outcome = writes.execute(miner, v2_command, v2_params)
    code = 0 if outcome.code == 131 else -1
    mode, delay = miner.reply_modes.get(v2_command, ("reply", 0.0)) if code == 0 else ("reply", 0.0)
    miner.v3_log(command, param, code, v2_command=v2_command, replied=mode != "close", **marks)
    if mode == "delay":
        await asyncio.sleep(delay)
    going_on = True
    if mode != "close":
        msg = "ok" if code == 0 and not isinstance(outcome.msg, dict) else outcome.msg
        going_on = await _send_faulty(session, _reply(command, code, msg), fault)
    else:
        going_on = False
    if stale is not None:
        miner._stale_after(snapshot, stale, restarting=bool(outcome.restart))  # pylint: disable=protected-access
    if outcome.restart:
        miner.begin_restart(outcome.restart, session.writer, network_before)
        return False
    return going_on


async def _download_logs(miner, session: Session) -> None:
    """Tether mock get.log.download.js: a framed {"logsize": N} (V2 says logfilelen), a pause, N raw bytes, close.
    A read in V3 (no token, Tether constants.js); logged like V2's download_logs, whose data it is."""
    data = transfers.log_archive(miner.view())
    miner.v3_log("get.log.download", None, 0, v2_command="download_logs", logsize=len(data))
    await session.send(_reply("get.log.download", 0, {"logsize": str(len(data))}))
    await asyncio.sleep(0.01)
    session.writer.write(data)
    await session.writer.drain()


def _change_password(miner, param) -> writes.Outcome:
    """param {"account": "super", "new": PW} (simulator choice of keys: V2 update_pwd's "new")."""
    if not isinstance(param, dict) or param.get("account", "super") != "super":
        return writes.Outcome(132, "invalid param: expected {account: super, new}")
    new = param.get("new")
    if not isinstance(new, str) or not writes.PASSWORD.match(new):
        return writes.Outcome(132, "invalid new password: 1 to 8 letters, digits or underscores")
    miner.set_password(new)
    return writes.Outcome()


async def serve(miner, reader, writer) -> None:
    """Length-prefixed requests until the client closes or stays idle; heartbeats are not answered."""
    if miner.v3_clients >= MAX_CLIENTS:
        writer.transport.abort()
        return
    miner.v3_clients += 1
    session = Session(reader, writer)
    try:
        if miner.faults.take_on_connect(api="v3") is not None:
            writer.transport.abort()
            return
        while True:
            try:
                header = await asyncio.wait_for(reader.readexactly(4), miner.config.idle_timeout)
                size = struct.unpack("<I", header)[0]
                if size == 0:
                    continue
                if size > MAX_REQUEST_BYTES:
                    return
                body = await asyncio.wait_for(reader.readexactly(size), miner.config.idle_timeout)
            except (asyncio.TimeoutError, asyncio.IncompleteReadError, OSError):
                return
            try:
                request = json.loads(body)
            except ValueError:
                request = None
            if not isinstance(request, dict):
                await session.send(_reply("", -2, "invalid json"))
                continue
            if not await handle(miner, session, request):
                return
    finally:
        miner.v3_clients -= 1
