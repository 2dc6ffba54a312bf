"""Failures injected through the control API, one list per miner.

refuse    connection refused (listener closed) or, when limited by commands or times, reset after accept
hang      accept, read the request, never answer
no_reply  read the request, close without a reply (the command is not carried out)
malformed answer with invalid JSON (the command is carried out)
truncate  close half-way through the reply (the command is carried out)
code      answer with error Code N instead of running the command
stale     carry the write out and answer success, then put the old settings back: when the restart the command
          causes is over, or (a command that does not restart) right after the reply or `delay` seconds later.
          Source: protocol.md section 7.1 (power_off row) and 13, from ha-integration `api_v3.py`: on M64
          fw 20250409.15.REL a V2 power_off did not keep the miner off; btminer restarted within
          minutes. Only write commands take a stale fault, and only once they get past the token and write-API
          checks (a write refused with 135 or 45 changed nothing that could go stale).

A fault takes requests on both API ports of a miner that has API V3 (v3api.py maps each V3 request to the V2
commands it stands for); "api": "v2" or "v3" limits it to one port, e.g. a refuse that closes only 4433.
Except `stale`: its source is a V2 write that did not stick where the V3 write did (protocol.md 13: V3
`set.miner.service stop` kept the M64 off), so a stale fault takes a V3 write only when it says "api": "v3".
"""

from __future__ import annotations

from dataclasses import dataclass

KINDS = ("refuse", "hang", "no_reply", "malformed", "truncate", "code", "stale")
APIS = ("v2", "v3")
# Codes that real miners send in plaintext even to an encrypted request (section 6).
PLAINTEXT_CODES = (14, 23, 136, 137)
MESSAGES = {
    14: "invalid cmd", 23: "json cmd err", 45: "can't access write cmd", 132: "API command ERROR",
    135: "check token err", 136: "over max connect", 137: "base64 decode err",
}


@dataclass
class Fault:
    kind: str
    code: int | None = None
    commands: frozenset = frozenset()
    times: int | None = None
    delay: float = 0.0  # stale only, for commands that do not restart: seconds from the reply to the old values
    api: str | None = None  # None: both API ports; "v2" (4028) or "v3" (4433) only

    def matches(self, command: str | None, api: str = "v2") -> bool:
        if self.api is not None and self.api != api:
            return False
        if not self.commands:
            return True
        if command is None:
            return False
        return command in self.commands or any(part in self.commands for part in command.split("+"))

    def as_dict(self) -> dict:
        out = {"kind": self.kind, "code": self.code, "commands": sorted(self.commands), "times": self.times}
        if self.kind == "stale":
            out["delay"] = self.delay
        if self.api is not None:
            out["api"] = self.api
        return out


def parse(body: dict) -> Fault:
    kind = body.get("kind")
    if kind not in KINDS:
        raise ValueError("kind must be one of %s" % ", ".join(KINDS))
    code = body.get("code")
    if kind == "code" and (isinstance(code, bool) or not isinstance(code, int)):
        raise ValueError("kind 'code' needs an integer 'code'")
    commands = body.get("commands") or []
    if not isinstance(commands, list) or not all(isinstance(c, str) for c in commands):
        raise ValueError("commands must be a list of command names")
    times = body.get("times")
    if times is not None and (isinstance(times, bool) or not isinstance(times, int) or times < 1):
        raise ValueError("times must be a positive integer")
    delay = body.get("delay", 0)
    if kind == "stale" and (isinstance(delay, bool) or not isinstance(delay, (int, float)) or delay < 0):
        raise ValueError("delay must be a number of seconds")
    api = body.get("api")
    if api is not None and api not in APIS:
        raise ValueError("api must be v2 or v3")
    return Fault(kind, code if kind == "code" else None, frozenset(commands), times,
                 float(delay) if kind == "stale" else 0.0, api)


class Faults:
    def __init__(self) -> None:
        self.items: list = []

    def add(self, fault: Fault) -> None:
        self.items.append(fault)

    def clear(self) -> None:
        self.items.clear()

    def refuses_everything(self, api: str = "v2") -> bool:
        """A refuse for every command and without a count: the port is simply closed."""
        return any(f.kind == "refuse" and not f.commands and f.times is None and f.api in (None, api)
                   for f in self.items)

    def _consume(self, fault: Fault) -> Fault:
        if fault.times is not None:
            fault.times -= 1
            if fault.times <= 0:
                self.items.remove(fault)
        return fault

    def take_on_connect(self, api: str = "v2") -> Fault | None:
        """A counted refuse that applies before anything is read."""
        for fault in self.items:
            if fault.kind == "refuse" and not fault.commands and fault.api in (None, api):
                return self._consume(fault)
        return None

    def take(self, command: str | None, stale: bool = False, api: str = "v2") -> Fault | None:
        """The first fault for this command: of any kind but stale, or (stale=True) the first stale one."""
        for fault in self.items:
            if stale and api == "v3" and fault.api != "v3":
                continue
            if (fault.kind == "stale") == stale and fault.matches(command, api):
                return self._consume(fault)
        return None

    def as_list(self) -> list:
        return [f.as_dict() for f in self.items]
