# Copyright: (c) 2026, hashops.whatsminer contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The engine's two Step hooks: ``send`` carries a write out instead of ``client.write``, ``after`` adds
conditions to the read-back."""

from __future__ import annotations

import types

import pytest

from ansible_collections.hashops.whatsminer.plugins.module_utils import _waiter
from ansible_collections.hashops.whatsminer.plugins.module_utils._converge import Step, converge, known


class Miner:
    host = "10.0.0.8"

    def __init__(self):
        self.colour = "red"
        self.ok = True
        self.writes = []

    def read_joined(self, *commands):
        return {"summary": {"STATUS": [{"STATUS": "S"}], "SUMMARY": [{"Elapsed": 10}]},
                "status": {"STATUS": "S", "Msg": {"colour": self.colour, "ok": self.ok}}}

    def write(self, command, **params):
        self.writes.append(command)


def resource(send, after=None):
    return types.SimpleNamespace(
        READS=("summary", "status"), SUBSETS=("mining",),
        desired=lambda params, host: {"colour": params["colour"]},
        current=lambda reading, want: known(colour=reading.msg("status").get("colour")),
        plan=lambda want, have, differ, params: [Step("paint", {}, ("colour",), send=send, after=after)]
        if differ else [])


@pytest.fixture(autouse=True)
def fake_time(monkeypatch):
    clock = types.SimpleNamespace(now=0.0)

    def sleep(seconds):
        clock.now += seconds
    monkeypatch.setattr(_waiter, "time", types.SimpleNamespace(monotonic=lambda: clock.now, sleep=sleep))


def test_send_replaces_client_write():
    miner = Miner()

    def paint(client):
        client.colour = "blue"
    result = converge(miner, {"colour": "blue", "wait_timeout": 60}, False, resource(paint))
    assert result["changed"] and not result.get("failed") and miner.writes == [] and miner.colour == "blue"


def test_send_is_not_called_in_check_mode():
    calls = []
    result = converge(Miner(), {"colour": "blue"}, True, resource(calls.append))
    assert result["changed"] and calls == []


def test_after_conditions_fail_the_read_back_with_their_sentence():
    miner = Miner()

    def paint(client):
        client.colour, client.ok = "blue", False
    result = converge(miner, {"colour": "blue", "wait_timeout": 60}, False,
                      resource(paint, after=lambda reading: [] if reading.msg("status")["ok"] else ["it is not ok"]))
    assert result["failed"] and "it is not ok" in result["msg"]
