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
"""

from __future__ import annotations

from dataclasses import dataclass

KINDS = ("refuse", "hang", "no_reply", "malformed", "truncate", "code", "stale")
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

    def matches(self, command: str | None) -> bool:
        if not self.commands:
            return True
        if command is None:
            return False
        return command in self.commands or any(part in self.commands for part in command.split("+"))

    def as_dict(self) -> dict:
        out = {"kind": self.kind, "code": self.code, "commands": sorted(self.commands), "times": self.times}
        if self.kind == "stale":
            out["delay"] = self.delay
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
    return Fault(kind, code if kind == "code" else None, frozenset(commands), times,
                 float(delay) if kind == "stale" else 0.0)


class Faults:
    def __init__(self) -> None:
        self.items: list = []

    def add(self, fault: Fault) -> None:
        self.items.append(fault)

    def clear(self) -> None:
        self.items.clear()

    def refuses_everything(self) -> bool:
        """A refuse for every command and without a count: the port is simply closed."""
        return any(f.kind == "refuse" and not f.commands and f.times is None for f in self.items)

    def _consume(self, fault: Fault) -> Fault:
        if fault.times is not None:
            fault.times -= 1
            if fault.times <= 0:
                self.items.remove(fault)
        return fault

    def take_on_connect(self) -> Fault | None:
        """A counted refuse that applies before anything is read."""
        for fault in self.items:
            if fault.kind == "refuse" and not fault.commands:
                return self._consume(fault)
        return None

    def take(self, command: str | None, stale: bool = False) -> Fault | None:
        """The first fault for this command: of any kind but stale, or (stale=True) the first stale one."""
        for fault in self.items:
            if (fault.kind == "stale") == stale and fault.matches(command):
                return self._consume(fault)
        return None

    def as_list(self) -> list:
        return [f.as_dict() for f in self.items]
