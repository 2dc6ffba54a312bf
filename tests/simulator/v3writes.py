"""API V3 `set.*` commands as the V2 writes they stand for (docs/protocol_v3.md, "Commands").

Each V3 write is carried out by the V2 handler of writes.py that does the same thing, so both ports change
the same state, validate alike, restart alike and take the same faults. The parameter shapes are those of
the sources named per command; a shape no source shows is marked "simulator choice".
"""

from __future__ import annotations

import v3custom
import v3led
import v3system
import writes

SERVICE = {"start": "power_on", "stop": "power_off", "restart": "restart_btminer"}  # Tether mock set.miner.service.js
POWER_MODES = {"low": "set_low_power", "normal": "set_normal_power", "high": "set_high_power"}  # Tether constants.js
TOGGLES = {  # "enable" / "disable" params: matroskin set.miner.fastboot, set.system.webpools
    "set.miner.fastboot": ("enable_btminer_fast_boot", "disable_btminer_fast_boot"),
    "set.system.webpools": ("enable_web_pools", "disable_web_pools"),
}
NO_PARAM = {"set.system.reboot": "reboot", "set.system.factory_reset": "factory_reset"}  # pyasic set_system_reboot


class Unknown(ValueError):
    """Not a V3 write this simulator serves: answered -2 like any unknown command."""


def translate(command: str, param) -> tuple:
    """(V2 command, V2 params) for a V3 write; ParamError for a parameter of the wrong shape."""
    if command == "set.miner.service":
        if param not in SERVICE:
            raise writes.ParamError("invalid param %r: expected start, stop or restart" % (param,))
        return SERVICE[param], {}
    if command == "set.miner.power_mode":
        if param not in POWER_MODES:
            raise writes.ParamError("invalid param %r: expected low, normal or high" % (param,))
        return POWER_MODES[param], {}
    if command in TOGGLES:
        if param not in ("enable", "disable"):
            raise writes.ParamError("invalid param %r: expected enable or disable" % (param,))
        return TOGGLES[command][param == "disable"], {}
    if command in NO_PARAM:
        return NO_PARAM[command], {}
    if command == "set.miner.pools":
        return "update_pools", _pools(param)
    if command == "set.system.led":  # matroskin set.system.led: "auto" or a list of patterns (v3led.py)
        return v3led.translate(param)
    if command == "set.miner.power_limit":  # pyasic set_miner_power_limit(power): a bare number
        return "adjust_power_limit", {"power_limit": param}
    if command == "set.miner.target_freq":  # Tether constants.js: set_target_freq
        return "set_target_freq", {"percent": param}
    if command == "set.system.hostname":  # Tether constants.js: set_hostname
        return "set_hostname", {"hostname": param}
    if command == "set.device.custom_data":  # matroskin set.device.custom_data (v3custom.py)
        return v3custom.set_custom_data(param)
    if command in v3system.TRANSLATED:  # set.system.net_config, set.system.timezone, set.log.upload
        return v3system.TRANSLATED[command](param)
    raise Unknown(command)


def _pools(param) -> dict:
    """A list of up to three {pool, worker, passwd} (matroskin set.miner.pools; the V2 keys without digits)."""
    if not isinstance(param, list) or not 1 <= len(param) <= 3 or not all(isinstance(p, dict) for p in param):
        raise writes.ParamError("API parse pools param error")
    params = {}
    for slot, pool in enumerate(param, start=1):
        params["pool%d" % slot] = pool.get("pool", "")
        params["worker%d" % slot] = pool.get("worker", "")
        params["passwd%d" % slot] = pool.get("passwd", "")
    return params


def masked(param):
    """A V3 parameter as the write log shows it: pool and account passwords masked."""
    if isinstance(param, list):
        return [masked(item) for item in param]
    if isinstance(param, dict):
        return {k: writes.MASK if k in ("passwd", "new", "old", "password") else v for k, v in param.items()}
    return param
