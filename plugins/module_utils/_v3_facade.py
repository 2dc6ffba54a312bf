# Copyright: (c) 2026, hashops.whatsminer contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# This module is private to the collection: it can change or go away without notice.
"""V3Facade: a miner with API V3, read through it and answering in the V2 client's terms.

The resources and ``_state`` speak V2 commands (``read_joined("summary", "pools")``,
``write("power_off")``). For a miner whose V3 API answered, this facade reads those commands
through V3 (``_v3_replies`` reshapes the replies) and sends the writes it can translate
(``WRITES``) as their V3 commands, which real V3 firmware keeps where some V2 writes slip
(protocol.md 13: a V2 ``power_off`` did not keep an M64 off, V3 ``set.miner.service stop``
did). A write with no V3 translation yet goes to the V2 port, as Tether's worker sends all its
writes (``miner.js``); the log download is V3's ``get.log.download``, the firmware upload V3's
``set.system.update_firmware``.
``commands_sent`` lists what went out, by API.
"""

from __future__ import annotations

from ansible_collections.hashops.whatsminer.plugins.module_utils import _v3_replies
from ansible_collections.hashops.whatsminer.plugins.module_utils._client import JoinedReplies
from ansible_collections.hashops.whatsminer.plugins.module_utils._errors import ApiError, InvalidCommand


def _service(action: str):
    return lambda params: ("set.miner.service", action)


def _pools(params: dict):
    pools = []
    for slot in (1, 2, 3):
        url = params.get(f"pool{slot}", "")
        if url or pools:
            pools.append({"pool": url, "worker": params.get(f"worker{slot}", ""),
                          "passwd": params.get(f"passwd{slot}", "")})
    while pools and not pools[-1]["pool"]:
        pools.pop()
    return "set.miner.pools", pools


def _led(params: dict):
    """matroskin set.system.led: "auto", or a list of flash patterns, one per colour (V2's blink: a list of one)."""
    if params.get("param") == "auto":
        return "set.system.led", "auto"
    return "set.system.led", [{key: params[key] for key in ("color", "period", "duration", "start") if key in params}]


def _integer(value):
    """V2 sends numbers as strings; V3 takes a JSON number (pyasic set_miner_power_limit)."""
    try:
        return int(str(value).strip())
    except ValueError:
        return value


def _custom_data(params: dict):
    """V2's key/val as V3's key/value (matroskin set.device.custom_data)."""
    return "set.device.custom_data", {"key": params.get("key"), "value": params.get("val", "")}


def _net_config(params: dict):
    """matroskin set.system.net_config: "dhcp" or {ip, netmask, gateway, dns}; it carries no hostname (V2's
    ``host``), so whatsminer_net sets that with set.system.hostname first."""
    if params.get("param") == "dhcp":
        return "set.system.net_config", "dhcp"
    return "set.system.net_config", {"ip": params.get("ip"), "netmask": params.get("mask"),
                                     "gateway": params.get("gate"), "dns": params.get("dns")}


def _log_upload(params: dict):
    """matroskin set.log.upload: {ip, port as a string, proto}, V2's load_log."""
    return "set.log.upload", {"ip": params.get("ip"), "port": str(params.get("port")), "proto": params.get("proto")}


# V2 write -> (V3 command, V3 param) (docs/protocol_v3.md, "Commands").
WRITES = {
    "power_off": _service("stop"),
    "power_on": _service("start"),
    "restart_btminer": _service("restart"),
    "update_pools": _pools,
    "set_led": _led,
    "reboot": lambda params: ("set.system.reboot", None),
    "set_low_power": lambda params: ("set.miner.power_mode", "low"),
    "set_normal_power": lambda params: ("set.miner.power_mode", "normal"),
    "set_high_power": lambda params: ("set.miner.power_mode", "high"),
    "adjust_power_limit": lambda params: ("set.miner.power_limit", _integer(params.get("power_limit"))),
    "enable_btminer_fast_boot": lambda params: ("set.miner.fastboot", "enable"),
    "disable_btminer_fast_boot": lambda params: ("set.miner.fastboot", "disable"),
    "set_hostname": lambda params: ("set.system.hostname", params.get("hostname")),
    "net_config": _net_config,
    "set_zone": lambda params: ("set.system.timezone", {"timezone": params.get("timezone"),
                                                        "zonename": params.get("zonename")}),
    "enable_web_pools": lambda params: ("set.system.webpools", "enable"),
    "disable_web_pools": lambda params: ("set.system.webpools", "disable"),
    "load_log": _log_upload,
    # V3 only (no V2 command): sent under its V3 name
    "set.system.time_randomized": lambda params: ("set.system.time_randomized",
                                                  {"start": params.get("start"), "stop": params.get("stop")}),
    "set_customer_msg": _custom_data,
}


class V3Facade:
    """``read_joined`` / ``read`` / ``write`` of WhatsMinerClient over a WhatsMinerV3Client."""

    api = "v3"

    def __init__(self, v3, v2, probed_info: dict | None = None):
        self.v3 = v3
        self.v2 = v2
        self.host = v3.host
        self.port = v3.port
        self.timeout = v3.timeout
        self.last_silence = None
        self.last_v3_replies: dict = {}  # V3 command -> reply of the last read_joined (facts' raw)
        self.commands_sent: list = []
        self._probed_info = probed_info  # get.device.info of the API probe, used by the first read

    def __repr__(self):
        return f"V3Facade({self.host!r}, port={self.port})"

    def read_joined(self, *commands: str) -> JoinedReplies:
        msgs = {}
        replies = JoinedReplies()
        self.last_v3_replies = {}
        for name, (command, param) in _v3_replies.sources(commands).items():
            if name == "info" and self._probed_info is not None:
                msgs[name], self._probed_info = self._probed_info, None
                self.last_v3_replies[command] = {"code": 0, "msg": msgs[name]}
                continue
            try:
                reply = self.v3.get(command, param)
            except ApiError as err:
                replies.first_error = replies.first_error or err
                msgs[name] = None
                continue
            self.last_v3_replies[command] = reply
            msgs[name] = reply.get("msg") if isinstance(reply.get("msg"), dict) else None
        replies.update(_v3_replies.as_v2(commands, msgs.get("status"), msgs.get("info"), msgs.get("setting")))
        return replies

    def read_v3(self, command: str, param=None) -> dict | None:
        """The ``msg`` of a V3 read, as the miner sent it; None when it answers with an error (-2 on firmware
        that lacks the command) or with no object."""
        try:
            msg = self.v3.get(command, param).get("msg")
        except ApiError:
            return None
        return msg if isinstance(msg, dict) else None

    def read(self, command: str, **params) -> dict:
        if command not in _v3_replies.FROM_DEVICE_INFO | _v3_replies.FROM_SETTING | set(_v3_replies.STATUS_SECTIONS):
            return self.v2.read(command, **params)
        replies = self.read_joined(command)
        if replies.get(command) is None:
            raise replies.first_error or InvalidCommand(self.host, command, None, "no API V3 reply carries it")
        return replies[command]

    def write(self, command: str, **params) -> dict | None:
        translate = WRITES.get(command)
        if translate is None:
            self.commands_sent.append({"api": "v2", "command": command})
            reply = self.v2.write(command, **params)
            self.last_silence = self.v2.last_silence
            return reply
        v3_command, param = translate(params)
        self.commands_sent.append({"api": "v3", "command": v3_command})
        reply = self.v3.set(v3_command, param)
        self.last_silence = self.v3.last_silence
        return reply

    def upload_firmware(self, source, **options) -> dict | None:
        self.commands_sent.append({"api": "v3", "command": "set.system.update_firmware"})
        return self.v3.upload_firmware(source, **options)

    def download_logs(self, dest: str, **options) -> int:
        self.commands_sent.append({"api": "v3", "command": "get.log.download"})
        return self.v3.download_logs(dest, **options)
