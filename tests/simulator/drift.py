"""Out-of-band changes for the control API's POST /miners/<addr>/settings: what a technician at the web UI
or another tool changes behind the collection's back, so tests can make a farm drift from its desired state."""

from __future__ import annotations

from state import Pool

SLOTS = 3
POWER_MODES = ("low", "normal", "high")


def drift_changes(body: dict) -> dict:
    """{Settings field: new value} from the request body; ValueError names the first bad field."""
    changes = {}
    for name, value in body.items():
        parse = _FIELDS.get(name)
        if parse is None:
            raise ValueError("cannot set %r: settable are %s" % (name, ", ".join(sorted(_FIELDS))))
        changes[name] = parse(value)
    return changes


def _pools(value) -> list:
    if not isinstance(value, list) or not 1 <= len(value) <= SLOTS:
        raise ValueError("pools must be a list of 1 to 3 {url, user}")
    pools = []
    for pool in value:
        if not isinstance(pool, dict) or not isinstance(pool.get("url"), str) or not isinstance(pool.get("user"), str):
            raise ValueError("each pool needs a url and a user (strings)")
        pools.append(Pool(pool["url"], pool["user"], str(pool.get("password", "x"))))
    return pools + [Pool() for _slot in range(SLOTS - len(pools))]


def _power_mode(value) -> str:
    if value not in POWER_MODES:
        raise ValueError("power_mode must be one of low, normal, high")
    return value


def _hostname(value) -> str:
    if not isinstance(value, str) or not 1 <= len(value) <= 63 or not value.isprintable():
        raise ValueError("hostname must be 1 to 63 printable characters")
    return value


def _power_limit(value):
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value <= 0):
        raise ValueError("power_limit_w must be a positive number of watts or null (the model's default)")
    return value


def _flag(value) -> bool:
    if not isinstance(value, bool):
        raise ValueError("fast_boot must be true or false")
    return value


_FIELDS = {"pools": _pools, "power_mode": _power_mode, "hostname": _hostname, "power_limit_w": _power_limit,
           "fast_boot": _flag}
