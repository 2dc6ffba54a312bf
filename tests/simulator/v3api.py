"""A read-only API V3 on TCP 4433 for personas whose firmware has it (protocol.md section 13).

Real 2024-11+ firmware answers V3 beside the degraded V2 port, and clients such as pyasic identify such a
miner only through V3 (`get.device.info`). Framing: 4-byte little-endian length + JSON, both ways.
Only `get.device.info`, `get.miner.status` and `get.miner.setting` are served; every `set.*` command answers
code -4 (no permission), anything else -2 (invalid command). Faults injected through the control API affect port 4028 only.
"""

from __future__ import annotations

import asyncio
import json
import struct
import time

import replies

MAX_REQUEST_BYTES = 64 * 1024
STATUS_SECTIONS = ("summary", "pools", "edevs")


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
        "fast-boot": "enable" if s.fast_boot else "disable", "fast-hash": "disable", "heat-mode": s.heat_mode,
        "target-freq": s.target_freq_pct, "power": int(view.reading.power_w), "power-percent": s.power_pct,
        "btrom-worker-suffix": "",
    }


def answer(miner, request: dict) -> dict:
    command = request.get("cmd")
    param = request.get("param")
    if not isinstance(command, str):
        return _reply("", -2, "invalid command")
    if command.startswith("set."):
        return _reply(command, -4, "no permission")
    view = miner.view()
    if command == "get.device.info":
        msg = device_info(miner, view)
        if isinstance(param, str) and param:
            key = "error-code" if param == "error-code" else param
            return _reply(command, 0, {key: msg.get(key, [] if key == "error-code" else {})})
        return _reply(command, 0, msg)
    if command == "get.miner.status":
        sections = [p for p in str(param or "summary").split("+") if p in STATUS_SECTIONS]
        if not sections:
            return _reply(command, -3, "param error")
        return _reply(command, 0, miner_status(view, sections))
    if command == "get.miner.setting":
        return _reply(command, 0, miner_setting(view))
    return _reply(command, -2, "invalid command")


async def serve(miner, reader, writer) -> None:
    """Length-prefixed requests until the client closes or stays idle."""
    while True:
        try:
            header = await asyncio.wait_for(reader.readexactly(4), miner.config.idle_timeout)
            size = struct.unpack("<I", header)[0]
            if size > MAX_REQUEST_BYTES:
                return
            body = await asyncio.wait_for(reader.readexactly(size), miner.config.idle_timeout)
        except (asyncio.TimeoutError, asyncio.IncompleteReadError, OSError):
            return
        try:
            request = json.loads(body)
        except ValueError:
            request = None
        reply = answer(miner, request) if isinstance(request, dict) else _reply("", -2, "invalid json")
        data = json.dumps(reply, separators=(",", ":")).encode("utf-8")
        writer.write(struct.pack("<I", len(data)) + data)
        await writer.drain()
