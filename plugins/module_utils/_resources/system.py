# Copyright: (c) 2026, hashops.whatsminer contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# This module is private to the collection: it can change or go away without notice.
"""whatsminer_system: one-shot actions, not state: reboot, restart_btminer, factory_reset, pre_power_on.

Each run sends the action (``changed`` is true; check mode sends nothing). ``reboot``, ``restart_btminer``
and ``factory_reset`` restart the miner or btminer and usually close without a reply (protocol.md 7.2);
with ``wait`` the miner is waited for until it answers again. ``pre_power_on`` is sent again until its
reply says ``complete: "true"`` (Tether, mdk; protocol.md 7.1), within ``wait_timeout``.
``factory_reset`` is refused unless ``confirm: true``: it resets the network to DHCP, the admin password
to ``admin``, switches the write API off and resets the pools and power settings (V2.0.5 manual 3.9).

On a miner worked through API V3, ``reboot`` is ``set.system.reboot`` (pyasic, Tether) and ``restart_btminer``
``set.miner.service`` ``restart`` (the facade's WRITES), and the restart is waited for through V3
(``get.miner.status`` summary ``elapsed``). ``factory_reset`` and ``pre_power_on`` go to the V2 port: pyasic's
``set_system_factory_reset`` raises NotImplementedError and matroskin's page was not tried on hardware, and no
source has a V3 pre_power_on (docs/protocol_v3.md).
"""

from __future__ import annotations

from ansible_collections.hashops.whatsminer.plugins.module_utils._converge import (
    WAIT_SPEC,
    InvalidOption,
    Reading,
    Step,
    runner,
)

RESTARTS = {"reboot": "reboot", "restart_btminer": "btminer", "factory_reset": "reboot"}
FACTORY_RESET_NOTE = ("factory_reset: the admin password is now 'admin', the write API is off, the network is "
                      "DHCP, pools and power settings are the factory ones; switch the write API on in "
                      "WhatsMinerTool before the next write")

ARGUMENT_SPEC = dict(WAIT_SPEC, **{
    "action": {"type": "str", "required": True,
               "choices": ["reboot", "restart_btminer", "factory_reset", "pre_power_on"]},
    "confirm": {"type": "bool", "default": False},
})

READS = ("summary",)
SUBSETS = ("mining",)
DIFF = False


def desired(params: dict, host: str) -> dict:
    if params["action"] == "factory_reset" and not params["confirm"]:
        raise InvalidOption(host, "confirm", "factory_reset wipes the miner's network, password, write API switch, "
                                             "pools and power settings: set confirm: true to do it")
    return {"action": params["action"]}


def read(client, params: dict) -> Reading:
    """Only btminer's run time (to see a restart), and only when the action restarts something."""
    if params["action"] not in RESTARTS:
        return Reading({})
    replies = client.read_joined(*READS)
    return Reading({}, replies)


def current(reading, want: dict) -> dict:  # pylint: disable=unused-argument
    return {"action": None}  # an action has no state: it is always to be done


def plan(want: dict, have: dict, differ: list, params: dict) -> list:  # pylint: disable=unused-argument
    action = want["action"]
    if action == "pre_power_on":
        return [Step("pre_power_on", {}, (), until=_complete)]
    return [Step(action, {}, (), restarts=RESTARTS[action],
                 note=FACTORY_RESET_NOTE if action == "factory_reset" else "")]


def _complete(reply) -> bool:
    msg = reply.get("Msg") if isinstance(reply, dict) else None
    return isinstance(msg, dict) and str(msg.get("complete", "")).lower() == "true"


run = runner(__name__)
