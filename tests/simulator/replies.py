"""Readable commands: each builds its reply from the persona's template and the miner's current reading.

Templates (copied from real captures, see templates/README.md) fix the field order and the value types; the
values come from telemetry and settings.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

ERROR_KEY = re.compile(r"^(Factory )?Error Code (\d+|Count)$|^Error \d+ Time$")
POOL_KEYS_KEPT_WHEN_IDLE = ("Quota", "Long Poll", "Has Stratum", "Has GBT", "Proxy Type", "Proxy", "Current Block Version")
BLOCK_HEIGHT = {"btminer2021": 672000, "api205": 850000, "v3compat2026": 935000}

JOINABLE = ("summary", "pools", "edevs", "devs", "devdetails")


class RawReply:
    """A reply that real firmware sends as invalid JSON, so it cannot be built as a dict."""

    def __init__(self, text: str) -> None:
        self.text = text


def flat(persona, code: int, msg, now: float, status: str = "S") -> dict:
    """The api daemon's own envelope (protocol.md section 2.2)."""
    return {"STATUS": status, "When": int(now), "Code": code, "Msg": msg, "Description": persona.description}


def _inner_status(view, code: int, msg: str) -> dict:
    if view.persona.inner_status_short:
        return {"STATUS": "S", "Msg": msg}
    return {"STATUS": "S", "When": int(view.now), "Code": code, "Msg": msg,
            "Description": view.hardware.btminer_description}


def _coerce(value, sample):
    if isinstance(sample, str) and isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(sample, bool) or isinstance(value, bool) or sample is None:
        return value
    if isinstance(sample, float) and isinstance(value, (int, float)):
        return round(float(value), 2)
    if isinstance(sample, int) and isinstance(value, (int, float)):
        return int(round(value))
    return value


def fill(template: dict, values: dict, extra: tuple = ()) -> dict:
    """The template's keys in its order, with values taken from `values` where given; `extra` keys appended."""
    out = {key: _coerce(values[key], sample) if key in values else sample for key, sample in template.items()}
    for key in extra:
        out[key] = values[key]
    return out


def _pct(part: float, whole: float) -> float:
    return round(100.0 * part / whole, 4) if whole else 0.0


def summary_values(view) -> dict:
    r = view.reading
    s = view.settings
    hw = view.hardware
    vin = view.identity.psu_vin / 100.0
    minutes = max(r.elapsed / 60.0, 1.0 / 60)
    return {
        "Elapsed": r.elapsed, "MHS av": r.mhs_av, "MHS 5s": r.mhs_5s, "MHS 1m": r.mhs_1m, "MHS 5m": r.mhs_5m,
        "MHS 15m": r.mhs_15m, "HS RT": r.hs_rt, "Getworks": int(r.elapsed / 30), "Accepted": r.accepted,
        "Rejected": r.rejected, "Hardware Errors": r.hw_errors, "Utility": r.accepted / minutes, "Discarded": 0,
        "Stale": 0, "Get Failures": 0, "Local Work": int(r.total_mh / 4295.0), "Remote Failures": 0,
        "Network Blocks": int(r.elapsed / 600), "Total MH": r.total_mh, "Work Utility": r.accepted * 1.07 / minutes,
        "Difficulty Accepted": r.accepted * 65536.0, "Difficulty Rejected": r.rejected * 65536.0,
        "Difficulty Stale": 0.0, "Temperature": r.temperature, "freq_avg": r.freq_avg, "Fan Speed In": r.fan_in,
        "Fan Speed Out": r.fan_out, "Voltage": int(1150 + 140 * min(r.load, 1.3)) if r.mining else 0,
        "Power": r.power_w, "Power_RT": r.power_w, "Power Rate": round(r.power_w / (r.mhs_av / 1e6), 2) if r.mhs_av else 0.0,
        "Device Hardware%": _pct(r.hw_errors, r.accepted + r.hw_errors), "Device Rejected%": _pct(r.rejected, r.accepted),
        "Pool Rejected%": _pct(r.rejected, r.accepted), "Pool Stale%": 0.0, "Last getwork": 0, "Uptime": r.uptime,
        "Chip Data": hw.chip_data, "Power Current": round(r.power_w / 13.75, 2), "Power Fanspeed": r.psu_fan,
        "Security Mode": 0, "Liquid Cooling": hw.hydro, "Hash Stable": r.hash_stable,
        "Hash Stable Cost Seconds": 900 if r.hash_stable else 0, "Hash Deviation%": 0.0 if not r.mining else 0.0861,
        "Target Freq": r.target_freq_mhz, "Target MHS": r.target_mhs, "Env Temp": r.env_temp,
        "Power Mode": s.power_mode.capitalize(), "Firmware Version": "'%s'" % s.firmware_version,
        "CB Platform": hw.cb_platform, "CB Version": hw.cb_version, "MAC": view.identity.mac,
        "Factory GHS": r.factory_ghs, "Power Limit": r.power_limit_w, "Power Voltage Input": vin,
        "Power Current Input": round(r.power_w / vin, 2), "Chip Temp Min": r.chip_temp_min,
        "Chip Temp Max": r.chip_temp_max, "Chip Temp Avg": r.chip_temp_avg,
        "Btminer Fast Boot": "enable" if s.fast_boot else "disable",
    }


def _with_error_codes(fields: dict, errors: list) -> dict:
    """Replace the template's error keys with this miner's, where the template had them (pre-2.0.4 style)."""
    out = {}
    placed = False
    for key, value in fields.items():
        if not ERROR_KEY.match(key):
            out[key] = value
            continue
        if placed:
            continue
        for number, (code, _when) in enumerate(errors):
            out["Error Code %d" % number] = code
            out["Error %d Time" % number] = ""
        out["Error Code Count"] = len(errors)
        out["Factory Error Code Count"] = 0
        placed = True
    return out


def summary(view):
    template = view.persona.templates["summary"]
    values = summary_values(view)
    if view.persona.summary_flat:
        return flat(view.persona, 131, fill(template["Msg"], values), view.now)
    fields = fill(template["SUMMARY"][0], values)
    if view.persona.summary_error_codes:
        fields = _with_error_codes(fields, view.settings.errors)
    return {"STATUS": [_inner_status(view, 11, "Summary")], "SUMMARY": [fields], "id": 1}


def pools(view):
    template = view.persona.templates["pools"]["POOLS"][0]
    r = view.reading
    entries = []
    active_slot = next((i for i, p in enumerate(view.settings.pools) if p.url), None)
    for slot, pool in enumerate(view.settings.pools):
        active = slot == active_slot and r.mining
        base = dict(template)
        if not active:
            base = {k: (v if k in POOL_KEYS_KEPT_WHEN_IDLE else _coerce(0, v) if isinstance(v, (int, float)) else v)
                    for k, v in template.items()}
        values = {
            "POOL": slot + 1, "URL": pool.url, "User": pool.user, "Priority": slot,
            "Status": "Alive" if pool.url else "Dead", "Stratum Active": active,
            "Stratum URL": (urlsplit(pool.url).hostname or "") if active else "",
        }
        if active:
            values.update({
                "Accepted": r.accepted, "Rejected": r.rejected, "Getworks": int(r.elapsed / 30),
                "Last Share Time": int(view.now) - 4, "Stratum Difficulty": 65536.0,
                "Difficulty Accepted": r.accepted * 65536.0, "Difficulty Rejected": r.rejected * 65536.0,
                "Last Share Difficulty": 65536.0, "Pool Rejected%": _pct(r.rejected, r.accepted),
                "Works": int(r.total_mh / 4295.0), "Current Block Height": BLOCK_HEIGHT[view.persona.name],
            })
        entries.append(fill(base, values))
    return {"STATUS": [_inner_status(view, 7, "%d Pool(s)" % len(entries))], "POOLS": entries, "id": 1}


def edevs(view):
    template = view.persona.templates["edevs"]["DEVS"][0]
    r = view.reading
    scale = 1e-6 if view.persona.edevs_in_ths else 1.0
    entries = []
    for b in r.boards:
        minutes = max(r.elapsed / 60.0, 1.0 / 60)
        values = {
            "ASC": b.slot, "Name": "SM", "ID": b.slot, "Slot": b.slot, "Enabled": "Y", "Status": "Alive",
            "Temperature": b.temperature, "Chip Frequency": b.chip_freq, "Fan Speed In": r.fan_in,
            "Fan Speed Out": r.fan_out, "MHS av": b.mhs_av * scale, "MHS 5s": b.mhs_5s * scale,
            "MHS 1m": b.mhs_1m * scale, "MHS 5m": b.mhs_5m * scale, "MHS 15m": b.mhs_15m * scale,
            "HS RT": b.hs_rt * scale, "Accepted": b.accepted, "Rejected": b.rejected, "Hardware Errors": b.hw_errors,
            "Utility": b.accepted / minutes, "Last Share Pool": 0, "Last Share Time": int(view.now) - 3 if r.mining else 0,
            "Total MH": b.total_mh, "Diff1 Work": 0, "Difficulty Accepted": b.accepted * 65536.0,
            "Difficulty Rejected": b.rejected * 65536.0, "Last Share Difficulty": 65536.0,
            "Last Valid Work": int(view.now) if r.mining else 0,
            "Device Hardware%": _pct(b.hw_errors, b.accepted + b.hw_errors), "Device Rejected%": _pct(b.rejected, b.accepted),
            "Device Elapsed": r.elapsed, "Upfreq Complete": 1 if r.hash_stable else 0, "Effective Chips": b.chips,
            "PCB SN": b.pcb_sn, "Chip Data": view.hardware.chip_data, "Chip Temp Min": b.chip_temp_min,
            "Chip Temp Max": b.chip_temp_max, "Chip Temp Avg": b.chip_temp_avg, "chip_vol_diff": 10 + b.slot * 2,
            "Factory GHS": b.factory_ghs, "Frequency": float(b.chip_freq),
        }
        entries.append(fill(template, values))
    return {"STATUS": [_inner_status(view, 9, "%d ASC(s)" % len(entries))], "DEVS": entries, "id": 1}


def devdetails(view):
    if view.persona.devdetails_deprecated:
        return flat(view.persona, 132, "This command is deprecated.", view.now, status="E")
    template = view.persona.templates["devdetails"]["DEVDETAILS"][0]
    entries = [fill(template, {"DEVDETAILS": slot, "ID": slot, "Model": view.hardware.variant})
               for slot in range(view.hardware.boards)]
    return {"STATUS": [_inner_status(view, 69, "Device Details")], "DEVDETAILS": entries, "id": 1}


def status(view):
    s = view.settings
    if view.persona.status_btmineroff:
        msg = {"btmineroff": "false" if s.mining else "true", "Firmware Version": "'%s'" % s.firmware_version}
        return flat(view.persona, 131, msg, view.now)
    values = {
        "mineroff": "false" if s.mining else "true", "mineroff_reason": s.mineroff_reason,
        "mineroff_time": s.mineroff_time, "FirmwareVersion": s.firmware_version, "power_mode": s.power_mode,
        "power_limit_set": "" if s.power_limit_w is None else str(s.power_limit_w),
        "hash_percent": str(s.target_freq_pct), "power_pct": str(s.power_pct),
    }
    template = view.persona.templates["status"]["Msg"]
    extra = tuple(k for k in ("power_pct",) if k not in template)
    return flat(view.persona, 131, fill(template, values, extra), view.now)


def get_version(view):
    values = {"api_ver": view.persona.api_ver, "fw_ver": view.settings.firmware_version,
              "platform": view.hardware.platform, "chip": view.hardware.chip_data, "miner_type": view.hardware.variant}
    return flat(view.persona, 131, fill(view.persona.templates["get_version"]["Msg"], values), view.now)


def get_psu(view):
    r = view.reading
    vin = view.identity.psu_vin
    psu = view.hardware.psu
    values = dict(psu)
    values.update({
        "iin": str(int(r.power_w / (vin / 100.0) * 1000)), "vin": str(vin), "pin": str(int(r.power_w)),
        "fan_speed": str(r.psu_fan), "version": "-1", "serial_no": view.identity.psu_sn, "vender": "1",
        "vendor": "1", "temp0": "%.1f" % r.psu_temp, "enable": "1" if r.mining else "0",
    })
    return flat(view.persona, 131, fill(view.persona.templates["get_psu"]["Msg"], values), view.now)


def get_miner_info(view):
    s = view.settings
    values = dict(s.network)
    values.update({
        "ntp": list(view.ntp), "hostname": s.hostname, "mac": view.identity.mac,
        "ledstat": "auto" if s.led.get("mode") == "auto" else "manual", "minersn": view.identity.miner_sn,
        "powersn": view.identity.psu_sn, "upfreq_speed": str(s.upfreq_speed),
    })
    return flat(view.persona, 131, fill(view.persona.templates["get_miner_info"]["Msg"], values), view.now)


def get_error_code(view):
    errors = view.settings.errors
    if view.persona.error_code_invalid_json:
        # API 2.0.4 really sent this: a list written like an object (protocol.md section 10.2)
        items = ",".join('"%d":"%s"' % (code, when) for code, when in errors)
        return RawReply('{"STATUS":"S","When":%d,"Code":131,"Msg":{"error_code":[%s]},"Description":"%s"}'
                        % (int(view.now), items, view.persona.description))
    return flat(view.persona, 131, {"error_code": [{str(code): when} for code, when in errors]}, view.now)


def get_customer_msg(view):
    return flat(view.persona, 131, dict(view.settings.customer_msg), view.now)


READERS = {
    "summary": summary, "pools": pools, "edevs": edevs, "devs": edevs, "devdetails": devdetails,
    "status": status, "get_version": get_version, "get_psu": get_psu, "get_miner_info": get_miner_info,
    "get_error_code": get_error_code, "get_customer_msg": get_customer_msg,
}


def joined(view, commands: list) -> dict:
    """cgminer-style join: one key per command holding a one-element list with its full reply (section 10.3)."""
    out = {}
    for command in commands:
        out[command] = [READERS[command](view)]
    out["id"] = 1
    return out
