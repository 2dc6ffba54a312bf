"""Writable commands (protocol.md section 7.1): parameter checks, the state change, and what follows it.

Every numeric parameter accepts a JSON number or a numeric string, as real clients send both. A bad or
out-of-range value is refused with Code 132 and a Msg naming the parameter and the allowed range.
"""

from __future__ import annotations

import ipaddress
import re
import time
from dataclasses import dataclass

import state as state_mod

OK_MSG = "API command OK"
SECRET_KEYS = ("passwd1", "passwd2", "passwd3", "old", "new", "token")
MASK = "********"

# What each restarting command does to the miner after it answered (or closed).
RESTARTS = {
    "reboot": "reboot", "factory_reset": "reboot", "update_firmware": "reboot",
    "restart_btminer": "btminer", "set_low_power": "btminer", "set_normal_power": "btminer",
    "set_high_power": "btminer", "adjust_power_limit": "btminer", "set_target_freq": "btminer",
    "net_config": "network",
}
# protocol.md section 7.2: reboot-class commands usually close without a reply; power_* commands answer.
DEFAULT_REPLY_MODES = {"reboot": "close", "restart_btminer": "close", "net_config": "close"}
REPLY_MODES = ("reply", "close", "delay")

HOSTNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$")
PASSWORD = re.compile(r"^[A-Za-z0-9_]{1,8}$")
ZONE = re.compile(r"^[A-Za-z0-9_+:/.,-]{1,64}$")
INTEGER = re.compile(r"^\s*[+-]?\d+\s*$")
CUSTOMER_KEYS = ("CustomerSn",) + tuple("msg%d" % i for i in range(10))
HEAT_MODES = {"anti-icing": "anti-icing", "anti-freezing": "anti-icing", "heating": "heating",
              "power-keeping": "power-keeping"}


class ParamError(ValueError):
    """A parameter the miner refuses (Code 132)."""


@dataclass
class Outcome:
    code: int = 131
    msg: object = OK_MSG
    restart: str | None = None


def masked(params: dict) -> dict:
    return {k: (MASK if k in SECRET_KEYS else v) for k, v in params.items() if k not in ("cmd", "command")}


def integer(params: dict, name: str, low: int, high: int) -> int:
    raw = params.get(name)
    if raw is None:
        raise ParamError("missing parameter %s" % name)
    if isinstance(raw, bool):
        value = None
    elif isinstance(raw, int):
        value = raw
    elif isinstance(raw, float) and raw.is_integer():
        value = int(raw)
    elif isinstance(raw, str) and INTEGER.match(raw):
        value = int(raw)
    else:
        value = None
    if value is None:
        raise ParamError("invalid %s %r: must be an integer from %d to %d" % (name, raw, low, high))
    if not low <= value <= high:
        raise ParamError("invalid %s %d: must be from %d to %d" % (name, value, low, high))
    return value


def flag(params: dict, name: str) -> bool:
    raw = params.get(name)
    if raw in (0, 1, "0", "1") and not isinstance(raw, float):
        return str(int(raw)) == "1"
    if isinstance(raw, bool):
        return raw
    if raw in ("true", "false"):
        return raw == "true"
    raise ParamError("invalid %s %r: must be 0 or 1" % (name, raw))


def text(params: dict, name: str, limit: int = 256, required: bool = False) -> str:
    raw = params.get(name)
    if raw is None:
        if required:
            raise ParamError("missing parameter %s" % name)
        return ""
    if isinstance(raw, bool) or not isinstance(raw, (str, int, float)):
        raise ParamError("invalid %s: must be a string" % name)
    value = str(raw)
    if len(value) > limit:
        raise ParamError("invalid %s: longer than %d characters" % (name, limit))
    return value


def ipv4(params: dict, name: str, netmask: bool = False) -> str:
    value = text(params, name, required=True).strip()
    try:
        address = ipaddress.IPv4Address(value)
    except ValueError:
        raise ParamError("invalid %s %r: not an IPv4 address" % (name, value)) from None
    if netmask:
        try:
            ipaddress.IPv4Network("0.0.0.0/%s" % value)
        except ValueError:
            raise ParamError("invalid %s %r: not a netmask" % (name, value)) from None
    return str(address)


def now_text() -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S")


def update_pools(miner, p):
    new = []
    for slot in (1, 2, 3):
        url = text(p, "pool%d" % slot).strip()
        if url and (("://" not in url) or re.search(r"\s", url)):
            raise ParamError("API parse pools param error")
        new.append(state_mod.Pool(url, text(p, "worker%d" % slot), text(p, "passwd%d" % slot)))
    if not any(pool.url for pool in new):
        raise ParamError("API parse pools param error")
    miner.settings.pools = new
    return Outcome()


def power_off(miner, p):
    s = miner.settings
    if s.mining:
        s.mining = False
        s.mineroff_reason = "by whatsminer api"
        s.mineroff_time = now_text()
    return Outcome()


def power_on(miner, p):
    s = miner.settings
    if not s.mining:
        s.mining = True
        s.mineroff_reason = ""
        s.mineroff_time = ""
        s.pre_power_on_since = None
        miner.restart_clock("btminer")
    return Outcome()


def pre_power_on(miner, p):
    s = miner.settings
    if s.mining:
        return Outcome(msg={"complete": "true", "msg": "adjust complete"})
    now = time.time()
    if s.pre_power_on_since is None:
        s.pre_power_on_since = now
    if now - s.pre_power_on_since >= miner.config.pre_power_on_seconds:
        return Outcome(msg={"complete": "true", "msg": "adjust complete"})
    return Outcome(msg={"complete": "false", "msg": "wait for adjust temp"})


def set_led(miner, p):
    param = p.get("param")
    if param == "auto":
        miner.settings.led = {"mode": "auto"}
        return Outcome()
    if isinstance(param, str) and "," in param:
        parts = [x.strip() for x in param.split(",")]
        if len(parts) != 4:
            raise ParamError("invalid param %r: expected auto or color,period,duration,start" % param)
        p = dict(zip(("color", "period", "duration", "start"), parts))
    elif param is not None:
        raise ParamError("invalid param %r: expected auto or color,period,duration,start" % param)
    color = p.get("color")
    if color not in ("red", "green"):
        raise ParamError("invalid color %r: must be red or green" % color)
    period = integer(p, "period", 1, 60000)
    duration = integer(p, "duration", 0, period)
    start = integer(p, "start", 0, period)
    miner.settings.led = {"mode": "manual", "color": color, "period": period, "duration": duration, "start": start}
    return Outcome()


def _power_mode(mode):
    def handler(miner, p):
        miner.settings.power_mode = mode
        return Outcome()
    return handler


def factory_reset(miner, p):
    miner.factory_reset()
    return Outcome()


def update_pwd(miner, p):
    old = text(p, "old", required=True)
    new = text(p, "new", required=True)
    if not miner.credential.matches(old):
        raise ParamError("old password is wrong")
    if not PASSWORD.match(new):
        raise ParamError("invalid new password: 1 to 8 letters, digits or underscores")
    miner.set_password(new)
    return Outcome()


def net_config(miner, p):
    """The new settings now; the miner moves (Miner.wanted_address) when the network restart it causes ends."""
    if p.get("param") == "dhcp":
        miner.settings.network = state_mod.dhcp_lease(miner.farm_address, miner.config.network)
        return Outcome()
    network = {
        "proto": "static", "ip": ipv4(p, "ip"), "netmask": ipv4(p, "mask", netmask=True), "gateway": ipv4(p, "gate"),
    }
    servers = text(p, "dns", required=True).split()
    if not 1 <= len(servers) <= 3:
        raise ParamError("invalid dns: one to three addresses separated by spaces")
    network["dns"] = " ".join(ipv4({"dns": s}, "dns") for s in servers)
    host = text(p, "host", limit=63).strip()
    if host and not HOSTNAME.match(host):
        raise ParamError("invalid host %r" % host)
    miner.settings.network = network
    if host:
        miner.settings.hostname = host
    return Outcome()


def set_target_freq(miner, p):
    miner.settings.target_freq_pct = integer(p, "percent", -100, 100)
    return Outcome()


def _setting(name, value):
    def handler(miner, p):
        setattr(miner.settings, name, value)
        return Outcome()
    return handler


def set_hostname(miner, p):
    hostname = text(p, "hostname", limit=63, required=True).strip()
    if not HOSTNAME.match(hostname):
        raise ParamError("invalid hostname %r: letters, digits, '.', '_' or '-', at most 63" % hostname)
    miner.settings.hostname = hostname
    return Outcome()


def set_zone(miner, p):
    timezone = text(p, "timezone", required=True).strip()
    zonename = text(p, "zonename", required=True).strip()
    for name, value in (("timezone", timezone), ("zonename", zonename)):
        if not ZONE.match(value):
            raise ParamError("invalid %s %r" % (name, value))
    miner.settings.timezone = timezone
    miner.settings.zonename = zonename
    return Outcome()


def load_log(miner, p):
    proto = text(p, "proto", required=True)
    if proto not in ("tcp", "udp"):
        raise ParamError("invalid proto %r: must be tcp or udp" % proto)
    miner.settings.rsyslog = {"ip": ipv4(p, "ip"), "port": integer(p, "port", 1, 65535), "proto": proto}
    return Outcome()


def set_power_pct(miner, p):
    miner.settings.power_pct = integer(p, "percent", 0, 100)
    return Outcome()


def set_power_pct_v2(miner, p):
    miner.settings.power_pct = integer(p, "percent", 0, 200 if miner.hardware.hydro else 100)
    return Outcome()


def set_power(miner, p):
    miner.settings.power_target_w = integer(p, "power", 0, 99999)
    return Outcome()


def restore_power_pct(miner, p):
    miner.settings.power_pct = 100
    return Outcome()


def set_temp_offset(miner, p):
    miner.settings.temp_offset = integer(p, "temp_offset", -30, 0)
    return Outcome()


def adjust_power_limit(miner, p):
    limit = integer(p, "power_limit", 0, 99999)
    miner.settings.power_limit_w = None if limit == 99999 else limit
    return Outcome()


def adjust_upfreq_speed(miner, p):
    miner.settings.upfreq_speed = integer(p, "upfreq_speed", 0, 9)
    return Outcome()


def set_poweroff_cool(miner, p):
    miner.settings.poweroff_cool = flag(p, "poweroff_cool")
    return Outcome()


def set_fan_zero_speed(miner, p):
    miner.settings.fan_zero_speed = flag(p, "fan_zero_speed")
    return Outcome()


def set_heat_mode(miner, p):
    mode = text(p, "mode", required=True)
    if mode not in HEAT_MODES:
        raise ParamError("invalid mode %r: must be anti-icing, heating or power-keeping" % mode)
    miner.settings.heat_mode = HEAT_MODES[mode]
    return Outcome()


def set_customer_msg(miner, p):
    key = text(p, "key", required=True)
    if key not in CUSTOMER_KEYS:
        raise ParamError("invalid key %r: must be CustomerSn or msg0..msg9" % key)
    miner.settings.customer_msg[key] = text(p, "val", limit=127)
    return Outcome()


def _nothing(miner, p):
    return Outcome()


HANDLERS = {
    "update_pools": update_pools,
    "restart_btminer": _nothing,
    "power_off": power_off,
    "power_on": power_on,
    "pre_power_on": pre_power_on,
    "set_led": set_led,
    "set_low_power": _power_mode("low"),
    "set_normal_power": _power_mode("normal"),
    "set_high_power": _power_mode("high"),
    "reboot": _nothing,
    "factory_reset": factory_reset,
    "update_pwd": update_pwd,
    "net_config": net_config,
    "set_target_freq": set_target_freq,
    "enable_btminer_fast_boot": _setting("fast_boot", True),
    "disable_btminer_fast_boot": _setting("fast_boot", False),
    "enable_web_pools": _setting("web_pools", True),
    "disable_web_pools": _setting("web_pools", False),
    "set_hostname": set_hostname,
    "set_zone": set_zone,
    "load_log": load_log,
    "set_power_pct": set_power_pct,
    "set_power_pct_v2": set_power_pct_v2,
    "set_power": set_power,
    "restore_power_pct": restore_power_pct,
    "set_temp_offset": set_temp_offset,
    "adjust_power_limit": adjust_power_limit,
    "adjust_upfreq_speed": adjust_upfreq_speed,
    "set_poweroff_cool": set_poweroff_cool,
    "set_fan_zero_speed": set_fan_zero_speed,
    "set_heat_mode": set_heat_mode,
    "disable_btminer_init": _setting("btminer_init", False),
    "enable_btminer_init": _setting("btminer_init", True),
    "set_customer_msg": set_customer_msg,
}
# Handled by the connection itself because they stream bytes after the first reply.
STREAMING = ("update_firmware", "download_logs")
WRITE_COMMANDS = frozenset(HANDLERS) | frozenset(STREAMING)


def execute(miner, command: str, params: dict) -> Outcome:
    try:
        outcome = HANDLERS[command](miner, params)
    except ParamError as err:
        return Outcome(132, str(err))
    if outcome.code == 131 and command in RESTARTS:
        outcome.restart = RESTARTS[command]
    return outcome
