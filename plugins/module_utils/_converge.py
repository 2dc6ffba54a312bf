# Copyright: (c) 2026, hashops.whatsminer contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# This module is private to the collection: it can change or go away without notice.
"""Read, compare, write only what differs, verify by reading back: the engine of every config module.

A config resource (a module of ``_resources``) describes its settings and leaves the rest here:

``READS``
    The commands that report its settings (sent as one joined read plus the daemon commands).
``SUBSETS``
    The ``_state`` subsets those replies are normalised into.
``desired(params, host) -> dict``
    The options the task sets, as comparable values; options left unset are absent. Raises
    InvalidOption for a value the miner would refuse, before anything is sent.
``current(reading, want) -> dict``
    What the miner reports for those settings. A setting this firmware cannot report is absent:
    it is then sent every run and listed under ``unverifiable``, never reported as unchanged.
``plan(want, have, differ, params) -> [Step]``
    The writes for the settings in ``differ``, in a safe order.

Optional: ``read(client, params) -> Reading`` replaces the joined read (for what needs an encrypted
read or a probe); ``report(reading) -> dict`` adds keys to the result from the last read (before the
writes in check mode, the read-back after them otherwise); ``DIFF = False`` leaves ``diff`` out of the
result (actions, passwords).

A Step is sent with ``client.write`` unless it has ``send(client)`` (a write that streams, such as
``update_firmware``); its ``after(reading)`` adds conditions the read-back must also meet (a new
firmware must also mine).

Every module returns ``changed``, ``diff`` (``before``/``after`` over the compared settings; never a
secret), ``commands`` (sent, or that would be sent in check mode; secrets masked), ``restarted``,
``unverifiable`` and ``elapsed_s``. Check mode sends no write at all.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field

from ansible_collections.hashops.whatsminer.plugins.module_utils import _protocol
from ansible_collections.hashops.whatsminer.plugins.module_utils import _state
from ansible_collections.hashops.whatsminer.plugins.module_utils._connection import client_from_params
from ansible_collections.hashops.whatsminer.plugins.module_utils._errors import (
    OutcomeUnknown,
    ProtocolError,
    UsageError,
    WhatsMinerError,
)
from ansible_collections.hashops.whatsminer.plugins.module_utils._waiter import wait_for

WAIT_SPEC = {
    "wait": {"type": "bool", "default": True},
    "wait_timeout": {"type": "int", "default": 600},
}
# Non-restarting writes get this long to show in a read-back (pools may restart btminer: longer).
VERIFY_SETTLE_S = 15.0


class InvalidOption(UsageError):
    """An option value the miner would refuse; raised before anything is sent."""

    def __init__(self, host: str, option: str, cause: str):
        super().__init__(host, option, cause)
        Exception.__init__(self, f"miner {host}: option '{option}': {cause}; nothing was sent")


@dataclass
class Step:
    """One write: its command, its parameters, the settings it sets and what it does to the miner."""

    command: str
    params: dict
    settings: tuple
    restarts: str | None = None  # "btminer", "network" or "reboot": the miner goes away after it
    address: str | None = None  # where the miner answers after this write (a new static IP)
    unverifiable: tuple = ()  # what this write sets that no read can show (pool passwords)
    settle_s: float = VERIFY_SETTLE_S
    note: str = ""  # what the operator should know once this write is sent
    hold_s: float = 0  # seconds to keep this state before the next write (an LED blinking for a while)
    until: object = None  # repeat the write until until(reply) is true, within wait_timeout (pre_power_on)
    send: object = None  # send(client) carries the write out instead of client.write (a stream: update_firmware)
    after: object = None  # after(reading) -> [sentences]: what else must hold once this write is read back

    def shown(self) -> dict:
        return {"command": self.command, "params": _protocol.mask_params(self.params)}


@dataclass
class Reading:
    """One read of a miner: the normalised state and the replies it came from."""

    state: dict
    replies: dict = field(default_factory=dict)

    def msg(self, command: str) -> dict:
        """``Msg`` of a daemon reply (empty when the command failed or is not a daemon command)."""
        reply = self.replies.get(command)
        msg = reply.get("Msg") if isinstance(reply, dict) else None
        return msg if isinstance(msg, dict) else {}

    @property
    def elapsed(self):
        """btminer's run time in seconds (summary ``Elapsed``); it starts again when btminer restarts."""
        reply = self.replies.get("summary")
        if not isinstance(reply, dict):
            return None
        rows = reply.get("SUMMARY")
        fields = rows[0] if isinstance(rows, list) and rows and isinstance(rows[0], dict) else self.msg("summary")
        value = fields.get("Elapsed")
        return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def read_resource(resource, client, params: dict) -> Reading:
    """The resource's own read where it has one, else its joined read."""
    custom = getattr(resource, "read", None)
    if custom is not None:
        return custom(client, params)
    return read(client, resource.READS, resource.SUBSETS)


def read(client, commands, subsets) -> Reading:
    """The joined read of ``commands`` normalised into ``subsets``; fails when every read was an error."""
    replies = client.read_joined(*commands)
    if not any(replies.values()):
        first = getattr(replies, "first_error", None)
        named = ""
        if first is not None:
            named = f"; the first: {first.command}: error {first.code}" + (f" ({first.msg})" if first.msg else "")
        raise ProtocolError(client.host, "+".join(commands),
                            f"every read was answered with an error{named}; is this a WhatsMiner with its API V2 "
                            "on this port?")
    return Reading(_state.normalise(replies, subsets), replies)


def known(**values) -> dict:
    """The settings a miner reported: those whose value is not None."""
    return {name: value for name, value in values.items() if value is not None}


def runner(resource_name: str):
    """The ``run()`` of a config resource: ``run = runner(__name__)`` at the end of its file."""
    def run(client, params: dict, check: bool, diff: bool) -> dict:  # pylint: disable=unused-argument
        return converge(client, params, check, sys.modules[resource_name])
    return run


def converge(client, params: dict, check: bool, resource) -> dict:
    """Run one config resource against one miner; returns the module result."""
    started = time.monotonic()
    want = resource.desired(params, client.host)
    before = read_resource(resource, client, params)
    have = resource.current(before, want)
    differ = [name for name in want if name not in have or have[name] != want[name]]
    steps = resource.plan(want, have, differ, params)
    unverifiable = sorted({name for name in want if name not in have}
                          | {name for step in steps for name in step.unverifiable})
    result = {
        "changed": bool(steps),
        "commands": [step.shown() for step in steps],
        "restarted": False,
        "unverifiable": unverifiable,
        "address": client.host,
    }
    if getattr(resource, "DIFF", True):
        result["diff"] = _diff(resource, want, have)
    # a step's note speaks of a write that was sent: none is in check mode
    notes = [] if check else [step.note for step in steps if step.note]
    report = getattr(resource, "report", lambda reading: {})
    if check or not steps:
        result.update(report(before))
        result["elapsed_s"] = round(time.monotonic() - started, 1)
        if check and steps:
            result["msg"] = "check mode: nothing was sent"
        if notes:
            result["notes"] = notes
        return result
    run = _Run(client, params, resource, before, want, have)
    try:
        run.apply(steps)
    except WhatsMinerError as err:
        # say what went out before the failure; nothing else was sent
        result.update(failed=True, msg=_partial(err, run.sent), changed=bool(run.sent),
                      commands=[step.shown() for step in run.sent])
        notes = [step.note for step in run.sent if step.note]
    result.update(report(run.last_reading or before))
    result.update(restarted=run.restarted, address=run.client.host, elapsed_s=round(time.monotonic() - started, 1))
    notes += run.notes
    if notes:
        result["notes"] = notes
    return result


def _diff(resource, want: dict, have: dict) -> dict:
    show = getattr(resource, "shown", lambda name, value: value)
    return {
        "before": {name: show(name, have[name]) for name in want if name in have},
        "after": {name: show(name, value) for name, value in want.items()},
    }


def _partial(err: WhatsMinerError, sent: list) -> str:
    if not sent:
        return str(err)
    return f"{err} (sent before this failure: {', '.join(step.command for step in sent)})"


class _Run:
    """The writes of one task and what follows each: waiting for a restart, reading back."""

    def __init__(self, client, params, resource, before: Reading, want: dict, have: dict):
        self.client = client
        self.params = params
        self.resource = resource
        self.want = want
        self.have = have
        self.timeout = float(params.get("wait_timeout") or 600)
        self.elapsed_before = before.elapsed
        self.sent: list = []
        self.restarted = False
        self.notes: list = []
        self.last_reading = None

    def apply(self, steps: list) -> None:
        pending = []
        for index, step in enumerate(steps):
            if step.restarts and pending:
                self._verify(pending, expect_restart=False)
                pending = []
            self._send(step)
            if step.restarts:
                self.restarted = True
                if step.address and step.address != self.client.host:
                    self.client = self._client_at(step.address)
                last = index == len(steps) - 1
                if self.params.get("wait", True):
                    self._verify([step], expect_restart=True)
                elif not last:
                    self._verify([step], expect_restart=True, check=False)
                else:
                    self.notes.append(f"{step.command} makes the miner restart; wait is false, so the change "
                                      "was not verified")
            else:
                pending.append(step)
            if step.hold_s:
                self._verify(pending, expect_restart=False)
                pending = []
                time.sleep(step.hold_s)
        if pending:
            self._verify(pending, expect_restart=False)

    def _client_at(self, host: str):
        """The miner at its new address (after ``net_config``), through the API it was read through."""
        return client_from_params(dict(self.params, host=host, api=getattr(self.client, "api", "v2")))

    def _send(self, step: Step) -> None:
        if step.until is not None:
            self._repeat(step)
            return
        try:
            if step.send is not None:
                step.send(self.client)
            else:
                self.client.write(step.command, **step.params)
        except OutcomeUnknown:
            # the command went out; only a read-back or a restart seen can tell whether it was carried out
            self.sent.append(step)
            if not self._settles(step):
                raise
            self.notes.append(f"{step.command}: the reply was lost; the outcome was settled by "
                              f"{'waiting for the restart' if step.restarts else 'reading back'}")
            return
        self.sent.append(step)

    def _settles(self, step: Step) -> bool:
        """Whether what follows this write will show if it was carried out."""
        if step.restarts:
            return bool(self.params.get("wait", True))
        return any(name in self.have for name in step.settings)

    def _repeat(self, step: Step) -> None:
        """Send ``step`` again until its reply says it is done (an error on the first send fails at once)."""
        first = self.client.write(step.command, **step.params)
        self.sent.append(step)
        if step.until(first):
            return
        waited = wait_for(lambda: _Replied(self.client.write(step.command, **step.params)),
                          lambda replied: [] if step.until(replied.reply) else [f"the miner says {_msg_of(replied.reply)!r}"],
                          host=self.client.host, what=step.command, timeout=self.timeout, expect_restart=False,
                          settle_s=self.timeout)
        self.notes.append(f"{step.command} completed after {waited.elapsed_s:g} s")

    def _verify(self, steps: list, expect_restart: bool, check: bool = True) -> None:
        want = self.want
        names = [name for step in steps for name in step.settings if name in want and name in self.have]
        what = ", ".join(step.command for step in steps)
        if not names and not expect_restart:
            return

        def mismatches(reading):
            now = self.resource.current(reading, want)
            wrong = [f"{name} reads {now.get(name)!r}, asked {want[name]!r}" for name in names
                     if now.get(name) != want[name]]
            for step in steps:
                if step.after is not None:
                    wrong += step.after(reading)
            return wrong

        waited = wait_for(
            lambda: read_resource(self.resource, self.client, self.params),
            mismatches if check else None,
            host=self.client.host, what=what, timeout=self.timeout,
            expect_restart=expect_restart, elapsed_before=self.elapsed_before,
            settle_s=max(step.settle_s for step in steps))
        self.restarted = self.restarted or waited.restarted
        self.elapsed_before = waited.reading.elapsed
        self.last_reading = waited.reading


@dataclass
class _Replied:
    reply: object
    elapsed: object = None


def _msg_of(reply):
    return reply.get("Msg") if isinstance(reply, dict) else reply
