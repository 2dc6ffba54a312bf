# Copyright: (c) 2026, hashops.whatsminer contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# This module is private to the collection: it can change or go away without notice.
"""Power over many miners at once: read, shed and restore each one, on a bounded pool of threads.

Each miner gets its own ``WhatsMinerClient`` (one TCP exchange per command, its own token) and the
same engine pieces as the per-host modules: ``_converge.read`` for the joined read normalised by
``_state``, ``wait_for`` for the read-back with a deadline. A miner's failure is a sentence in its own
result, naming the host and the command; it never stops the others.

What each curtailment mode sends (protocol.md 7.1), and how the read-back verifies it:

``stop``
    ``power_off`` with ``respbefore: "true"``; verified when ``status`` says the miner is off
    (``mineroff``/``btmineroff``, protocol.md 11: the firmware's own word that btminer stopped, and its hash
    boards with it). Only ``status`` is read back, one exchange: the power after is not read, so a stopped
    miner's shed counts the power it drew before. Restored with ``power_on``.
``low_power``
    ``set_low_power`` (btminer restarts); verified when the power mode reads ``low``. Restored with
    ``set_<baseline mode>_power``.
``percent``
    ``set_power_pct`` (the fast one) with ``percent``; verified by status ``power_pct`` where the firmware
    reports it, else by the power read dropping. Restored with ``restore_power_pct``; firmware without it
    (error 14) gets ``set_power_pct`` with the baseline percent (100 when unknown).

A shed is handed the facts the plan (``survey``) read a moment before (``planned``): it sends its command
without reading again, except in ``low_power``, whose restart is told from btminer's run time (``Elapsed``)
read just before the command.

A restore also sends ``power_on`` to a miner found off and the baseline power mode to a miner found in
another mode, so each miner returns to its own baseline whatever the mode of the event.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from ansible_collections.hashops.whatsminer.plugins.module_utils._client import WhatsMinerClient
from ansible_collections.hashops.whatsminer.plugins.module_utils._converge import read
from ansible_collections.hashops.whatsminer.plugins.module_utils._errors import (
    ApiError,
    OutcomeUnknown,
    ProtocolError,
    WhatsMinerError,
)
from ansible_collections.hashops.whatsminer.plugins.module_utils._waiter import wait_for

READS = ("summary", "status")
# what proves a shed took: status alone says a stopped miner is off; the other modes need the power figures too
READ_BACK = {"stop": ("status",), "low_power": READS, "percent": READS}
FACTS = ("is_mining", "power_mode", "power_pct", "power_w", "hashrate_ths")
MODE_COMMANDS = ("set_low_power", "set_normal_power", "set_high_power")  # btminer restarts
UNSUPPORTED = 14  # "invalid cmd": this firmware lacks the command
DEFAULT_PCT = 100


@dataclass
class Target:
    """One miner: its inventory name and how to reach it (never printed with its password)."""

    name: str
    address: str
    port: int
    timeout: float
    password: str | None

    def client(self) -> WhatsMinerClient:
        return WhatsMinerClient(self.address, port=self.port, password=self.password, timeout=self.timeout)


def fan_out(work, targets, concurrency: int) -> list:
    """``work(target)`` for every target, at most ``concurrency`` at once; results in the targets' order.

    ``targets`` may be produced while the first are worked on (an iterator): each is handed on as it comes.
    """
    if isinstance(targets, (list, tuple)):
        if not targets:
            return []
        concurrency = min(int(concurrency), len(targets))
    with ThreadPoolExecutor(max_workers=max(1, int(concurrency))) as pool:
        return list(pool.map(work, targets))


def facts_of(reading) -> dict:
    """The power facts of a reading, plus efficiency in J/TH (None while the miner hashes nothing)."""
    state = reading.state
    facts = {name: state.get(name) for name in FACTS}
    power, hashrate = facts["power_w"], facts["hashrate_ths"]
    facts["efficiency_jth"] = round(power / hashrate, 2) if power and hashrate else None
    return facts


def survey(target: Target, mode: str | None = None) -> dict:
    """Read one miner: ``facts``, or ``failed`` and ``msg``, beside ``host`` and ``address``.

    For a ``stop``, ``summary`` alone serves a miner it shows hashing: btminer answers it, so btminer runs
    (protocol.md 1: the API daemon forwards ``summary`` to btminer; Tether and mdk tell a stopped miner by its
    ``MHS av``), and it carries the power the plan counts. Only a miner it shows idle, or that answers it with
    an error, is read through ``status`` too, whose ``mineroff`` tells stopped from starting.
    """
    result = {"host": target.name, "address": target.address, "changed": False, "failed": False, "commands": []}
    client = target.client()
    try:
        facts = None
        if mode == "stop":
            try:
                facts = facts_of(read(client, ("summary",), ("mining",)))
            except (ApiError, ProtocolError):  # it answered, with an error: btminer may be down
                facts = None
        if facts is None or facts["is_mining"] is not True:
            facts = facts_of(read(client, READS, ("mining",)))
        result["facts"] = facts
    except WhatsMinerError as err:
        result.update(failed=True, msg=_say(target, err))
    return result


def is_curtailed(facts: dict, mode: str, percent: int) -> bool:
    """Whether a miner already is as this mode leaves it (so a re-run sends it nothing)."""
    if mode == "stop":
        return facts.get("is_mining") is False
    if mode == "low_power":
        return facts.get("power_mode") == "low" or facts.get("is_mining") is False
    return facts.get("power_pct") == percent or facts.get("is_mining") is False


def shed_commands(mode: str, percent: int) -> list:
    if mode == "stop":
        return [("power_off", {"respbefore": "true"})]
    if mode == "low_power":
        return [("set_low_power", {})]
    return [("set_power_pct", {"percent": str(percent)})]


def shed(target: Target, mode: str, percent: int, check: bool, verify_timeout: float, planned: dict) -> dict:
    """Curtail one miner unless it already is; verify by reading back within ``verify_timeout``.

    ``planned``: the miner's facts as the plan (``survey``) read them a moment ago.
    """
    result = {"host": target.name, "address": target.address, "changed": False, "failed": False, "commands": []}
    client = target.client()
    command = "summary+status"
    try:
        elapsed_before = None
        if mode == "low_power" and not check:
            before = read(client, READS, ("mining",))
            result["before"], elapsed_before = facts_of(before), before.elapsed
        else:
            result["before"] = dict(planned)
        if is_curtailed(result["before"], mode, percent):
            result.update(after=result["before"], msg="already curtailed: nothing sent")
            return result
        commands = shed_commands(mode, percent)
        result["commands"] = [command for command, _params in commands]
        if check:
            result.update(changed=True, after=None, msg="check mode: nothing was sent")
            return result
        for command, params in commands:
            _send(client, command, params, result)
        command = "read-back after " + result["commands"][-1]
        waited = wait_for(lambda: read(client, READ_BACK[mode], ("mining",)),
                          lambda reading: _shed_mismatches(facts_of(reading), result["before"], mode, percent),
                          host=target.address, what=result["commands"][-1], timeout=verify_timeout,
                          expect_restart=mode == "low_power", elapsed_before=elapsed_before, settle_s=verify_timeout)
        result.update(after=facts_of(waited.reading), msg=f"curtailed ({', '.join(result['commands'])}), verified "
                                                          f"after {waited.elapsed_s:g} s")
    except WhatsMinerError as err:
        result.update(failed=True, msg=_say(target, err, command))
    return result


def _shed_mismatches(now: dict, before: dict, mode: str, percent: int) -> list:
    wrong = []
    if mode == "stop" and now.get("is_mining") is not False:
        wrong.append("status still says the miner is mining")
    if mode == "low_power" and now.get("power_mode") != "low":
        wrong.append(f"power mode reads {now.get('power_mode')!r}, asked 'low'")
    if mode == "percent" and now.get("power_pct") is not None and now["power_pct"] != percent:
        wrong.append(f"power percent reads {now['power_pct']!r}, asked {percent}")
    if _known(now.get("power_w"), before.get("power_w")) and now["power_w"] >= before["power_w"]:
        wrong.append(f"power did not drop ({before['power_w']:g} W before, {now['power_w']:g} W now)")
    return wrong


def restore_commands(baseline: dict, now: dict, mode: str) -> list:
    """What brings a miner from ``now`` back to ``baseline`` (facts from before the event)."""
    commands = []
    if baseline.get("is_mining") is not False and now.get("is_mining") is False:
        commands.append(("power_on", {}))
    want_pct = baseline.get("power_pct")
    if mode == "percent" or (now.get("power_pct") is not None and want_pct is not None and now["power_pct"] != want_pct):
        commands.append(("restore_power_pct", {}))
    want_mode = baseline.get("power_mode")
    if want_mode and now.get("power_mode") != want_mode:
        commands.append((f"set_{want_mode}_power", {}))
    return commands


def restore(target: Target, baseline: dict, mode: str, check: bool, confirm_timeout: float) -> dict:
    """Bring one miner back to its baseline; confirmed when it mines again with its hashrate rising."""
    result = {"host": target.name, "address": target.address, "changed": False, "failed": False, "commands": [],
              "baseline": baseline}
    client = target.client()
    command = "summary+status"
    try:
        before = read(client, READS, ("mining",))
        now = result["before"] = facts_of(before)
        commands = restore_commands(baseline, now, mode)
        result["commands"] = [command for command, _params in commands]
        if not commands:
            result.update(after=now, msg="already at its baseline: nothing sent")
            return result
        if check:
            result.update(changed=True, after=None, msg="check mode: nothing was sent")
            return result
        restarts = False
        for command, params in commands:
            if command == "restore_power_pct":
                command = _restore_pct(client, baseline, result)
            else:
                _send(client, command, params, result)
            restarts = restarts or command in MODE_COMMANDS
        command = "read-back after " + result["commands"][-1]
        waited = wait_for(lambda: read(client, READS, ("mining",)),
                          lambda reading: _restore_mismatches(facts_of(reading), now, baseline),
                          host=target.address, what=result["commands"][-1], timeout=confirm_timeout,
                          expect_restart=restarts, elapsed_before=before.elapsed, settle_s=confirm_timeout)
        result.update(after=facts_of(waited.reading), msg=f"restored ({', '.join(result['commands'])}), confirmed "
                                                          f"after {waited.elapsed_s:g} s")
    except WhatsMinerError as err:
        result.update(failed=True, msg=_say(target, err, command))
    return result


def _restore_pct(client, baseline: dict, result: dict) -> str:
    try:
        _send(client, "restore_power_pct", {}, result)
        return "restore_power_pct"
    except ApiError as err:
        if err.code != UNSUPPORTED:
            raise
    percent = baseline.get("power_pct") or DEFAULT_PCT
    result["commands"] = [name if name != "restore_power_pct" else "set_power_pct" for name in result["commands"]]
    _send(client, "set_power_pct", {"percent": str(percent)}, result)
    return "set_power_pct"


def _restore_mismatches(now: dict, curtailed: dict, baseline: dict) -> list:
    wrong = []
    if baseline.get("is_mining") is not False:
        if now.get("is_mining") is not True:
            wrong.append("status does not say the miner is mining yet")
        if not (now.get("hashrate_ths") or 0) > (curtailed.get("hashrate_ths") or 0):
            wrong.append(f"hashrate is not rising ({now.get('hashrate_ths')!r} TH/s, "
                         f"{curtailed.get('hashrate_ths')!r} TH/s before the restore)")
    if baseline.get("power_mode") and now.get("power_mode") != baseline["power_mode"]:
        wrong.append(f"power mode reads {now.get('power_mode')!r}, baseline {baseline['power_mode']!r}")
    if _known(now.get("power_pct"), baseline.get("power_pct")) and now["power_pct"] != baseline["power_pct"]:
        wrong.append(f"power percent reads {now['power_pct']!r}, baseline {baseline['power_pct']!r}")
    return wrong


def _send(client, command: str, params: dict, result: dict) -> None:
    """One write; a lost reply is left for the read-back to settle, as the config modules do."""
    try:
        client.write(command, **params)
    except OutcomeUnknown:
        result.setdefault("notes", []).append(f"{command}: the reply was lost; the read-back settles it")
    result["changed"] = True


def _known(*values) -> bool:
    return all(isinstance(value, (int, float)) and not isinstance(value, bool) for value in values)


def _say(target: Target, err: WhatsMinerError, doing: str = "") -> str:
    """The error as a sentence that starts with the inventory name, so an operator finds the miner."""
    text = str(err)
    if doing and err.command not in doing:
        text = f"{doing}: {text}"
    return f"{target.name} ({target.address}): {text}"


def elapsed_since(started: float) -> float:
    return round(time.monotonic() - started, 2)
