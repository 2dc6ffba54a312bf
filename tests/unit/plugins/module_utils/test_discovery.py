# Copyright: (c) 2026, hashops.whatsminer contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Discovery engine: address ranges, the connect sweep, identification, the whole scan.

The sweep runs on a fake network (sockets and a selector driven by a fake clock) and once on
loopback listeners the test opens; identification runs the real client with its exchange
replaced by scripted replies, real captures where there are some.
"""

from __future__ import annotations

import errno
import json
import selectors
import socket
import time
from pathlib import Path

import pytest

from ansible_collections.hashops.whatsminer.plugins.module_utils import _discovery, _identify, _sweep, _targets
from ansible_collections.hashops.whatsminer.plugins.module_utils._client import WhatsMinerClient
from ansible_collections.hashops.whatsminer.plugins.module_utils._errors import MinerTimeout

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"


def addresses(targets) -> list:
    return list(targets)


# ---- address ranges ------------------------------------------------------------------------------

def test_cidr_leaves_out_network_and_broadcast():
    assert addresses(_targets.parse(["10.0.0.0/30"])) == ["10.0.0.1", "10.0.0.2"]
    assert len(_targets.parse(["10.20.0.0/16"])) == 65534


def test_cidr_with_host_bits_and_tiny_prefixes():
    assert addresses(_targets.parse(["10.0.0.77/30"])) == ["10.0.0.77", "10.0.0.78"]
    assert addresses(_targets.parse(["10.0.0.4/31"])) == ["10.0.0.4", "10.0.0.5"]
    assert addresses(_targets.parse(["10.0.0.9/32"])) == ["10.0.0.9"]


def test_ranges_full_and_last_octet_and_single_addresses():
    assert addresses(_targets.parse(["10.0.0.254-10.0.1.1"])) == ["10.0.0.254", "10.0.0.255", "10.0.1.0", "10.0.1.1"]
    assert addresses(_targets.parse(["10.0.0.10 - 12"])) == ["10.0.0.10", "10.0.0.11", "10.0.0.12"]
    assert addresses(_targets.parse("10.0.0.7")) == ["10.0.0.7"]


def test_exclude_removes_addresses_blocks_and_ranges():
    targets = _targets.parse(["10.0.0.0/24"], exclude=["10.0.0.1", "10.0.0.8/29", "10.0.0.20-10.0.0.254"])
    assert addresses(targets) == [f"10.0.0.{n}" for n in range(2, 8)] + [f"10.0.0.{n}" for n in range(16, 20)]


def test_overlapping_entries_scan_each_address_once_and_the_first_entry_wins():
    targets = _targets.parse([
        {"network": "10.0.0.0/29", "vars": {"rack": "a"}},
        {"network": "10.0.0.4-10.0.0.9", "vars": {"rack": "b"}},
    ])
    assert addresses(targets) == [f"10.0.0.{n}" for n in range(1, 10)]
    assert targets.network_of("10.0.0.6").vars == {"rack": "a"}
    assert targets.network_of("10.0.0.8").vars == {"rack": "b"}
    assert targets.network_of("10.0.0.10") is None
    assert targets.network_of("not-an-address") is None


@pytest.mark.parametrize("networks, exclude, message", [
    ([], None, "'networks' is empty"),
    (["10.0.0.0/33"], None, "is not a CIDR"),
    (["10.0.0.9-10.0.0.1"], None, "ends before it starts"),
    (["fd00::/64"], None, "IPv6"),
    (["10.0.0.0/24"], ["bogus"], "exclude: 'bogus'"),
    ([{"network": "10.0.0.0/24", "rack": 1}], None, "unknown key(s) rack"),
    ([{"vars": {"a": 1}}], None, "has no 'network'"),
    ([{"network": "10.0.0.1", "vars": ["a"]}], None, "'vars' must be a mapping"),
    ([42], None, "neither a string nor a mapping"),
    (["10.0.0.0/8"], None, "more than the 1048576 one scan allows"),
])
def test_bad_networks_are_refused_with_a_readable_message(networks, exclude, message):
    with pytest.raises(ValueError) as caught:
        _targets.parse(networks, exclude)
    assert message in str(caught.value)


# ---- the sweep, on a fake network ----------------------------------------------------------------

class FakeClock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


class FakeSocket:
    def __init__(self, net):
        self.net = net
        self.fd = net.next_fd()
        self.ready_at = None
        self.error = 0

    def fileno(self):
        return self.fd

    def connect_ex(self, address):
        host = address[0]
        self.net.connected.append(host)
        kind = self.net.hosts.get(host, "refuse")
        if kind == "silent":
            return errno.EINPROGRESS
        self.ready_at = self.net.clock.now + 0.001
        self.error = 0 if kind == "accept" else errno.ECONNREFUSED
        return errno.EINPROGRESS

    def getsockopt(self, level, option):
        assert (level, option) == (socket.SOL_SOCKET, socket.SO_ERROR)
        return self.error

    def close(self):
        self.net.open -= 1


class FakeSelector:
    def __init__(self, clock):
        self.clock = clock
        self.keys = {}

    def register(self, sock, events, data):
        self.keys[sock.fd] = selectors.SelectorKey(sock, sock.fd, events, data)

    def unregister(self, sock):
        del self.keys[sock.fd]

    def select(self, timeout):
        times = [key.fileobj.ready_at for key in self.keys.values() if key.fileobj.ready_at is not None]
        soonest = min(times, default=None)
        if soonest is None or soonest > self.clock.now + timeout:
            self.clock.now += timeout
            return []
        self.clock.now = max(self.clock.now, soonest)
        return [(key, selectors.EVENT_WRITE) for key in list(self.keys.values())
                if key.fileobj.ready_at is not None and key.fileobj.ready_at <= self.clock.now]

    def close(self):
        pass


class FakeNet:
    """``hosts`` maps an address to accept, refuse or silent; counts open sockets itself."""

    def __init__(self, hosts, fd_limit=None):
        self.hosts = hosts
        self.clock = FakeClock()
        self.fd_limit = fd_limit
        self.open = 0
        self.peak = 0
        self.fds = 100
        self.connected = []

    def next_fd(self):
        self.fds += 1
        return self.fds

    def socket(self):
        if self.fd_limit is not None and self.open >= self.fd_limit:
            raise OSError(errno.EMFILE, "Too many open files")
        self.open += 1
        self.peak = max(self.peak, self.open)
        return FakeSocket(self)

    def selector(self):
        return FakeSelector(self.clock)


def block(count, prefix="10.1"):
    return [f"{prefix}.{n // 256}.{n % 256}" for n in range(count)]


def test_sweep_returns_the_hosts_that_accept_and_counts_the_rest():
    hosts = {"10.1.0.3": "accept", "10.1.0.9": "accept", "10.1.0.5": "silent"}
    net = FakeNet(hosts)
    result = _sweep.sweep(block(16), 4028, 0.5, 8, net=net, clock=net.clock)
    assert sorted(result.accepted) == ["10.1.0.3", "10.1.0.9"]
    assert (result.scanned, result.refused, result.timed_out) == (16, 13, 1)
    assert net.connected == block(16)
    assert net.open == 0


def test_sweep_never_has_more_sockets_open_than_concurrency():
    everything = block(3000)
    hosts = {address: ("accept" if n % 97 == 0 else "silent" if n % 13 == 0 else "refuse")
             for n, address in enumerate(everything)}
    net = FakeNet(hosts)
    result = _sweep.sweep(everything, 4028, 0.5, 37, net=net, clock=net.clock)
    assert net.peak == 37
    assert result.peak_open == 37
    assert result.scanned == 3000
    assert len(result.accepted) == len([kind for kind in hosts.values() if kind == "accept"])
    assert net.open == 0


def test_silent_addresses_cost_one_timeout_per_batch_not_one_each():
    everything = block(200)
    hosts = {address: "silent" for address in everything}
    hosts["10.1.0.199"] = "accept"
    net = FakeNet(hosts)
    result = _sweep.sweep(everything, 4028, 0.5, 200, net=net, clock=net.clock)
    assert result.accepted == ["10.1.0.199"]
    assert result.timed_out == 199
    assert result.elapsed_s == pytest.approx(0.5)
    net = FakeNet(hosts)
    result = _sweep.sweep(everything, 4028, 0.5, 50, net=net, clock=net.clock)
    assert result.elapsed_s == pytest.approx(2.0, abs=0.01)


def test_sweep_lowers_concurrency_when_the_process_runs_out_of_file_descriptors():
    everything = block(100)
    net = FakeNet({"10.1.0.42": "accept"}, fd_limit=6)
    result = _sweep.sweep(everything, 4028, 0.5, 64, net=net, clock=net.clock)
    assert result.concurrency == 6
    assert result.scanned == 100
    assert result.accepted == ["10.1.0.42"]


def test_usable_concurrency_stays_under_the_open_file_limit(monkeypatch):
    import resource
    calls = []
    monkeypatch.setattr(resource, "getrlimit", lambda which: (1024, 1024))
    monkeypatch.setattr(resource, "setrlimit", lambda which, limits: calls.append(limits))
    assert _sweep.usable_concurrency(5000) == 1024 - 2 * _sweep.FD_RESERVE
    assert _sweep.usable_concurrency(100) == 100
    monkeypatch.setattr(resource, "getrlimit", lambda which: (256, 65536))
    assert _sweep.usable_concurrency(4000) == 4000
    assert calls[-1] == (4000 + 2 * _sweep.FD_RESERVE, 65536)


def loopback_listeners(addresses_):
    """Listening sockets on the same free port of several loopback addresses."""
    first = socket.socket()
    first.bind((addresses_[0], 0))
    port = first.getsockname()[1]
    listeners = [first]
    for address in addresses_[1:]:
        sock = socket.socket()
        sock.bind((address, port))
        listeners.append(sock)
    for sock in listeners:
        sock.listen(16)
    return port, listeners


def test_sweep_on_loopback_finds_exactly_the_listeners():
    wanted = ["127.77.0.3", "127.77.0.200", "127.77.1.17"]
    port, listeners = loopback_listeners(wanted)
    try:
        result = _sweep.sweep(_targets.parse(["127.77.0.0/23"]), port, 1.0, 128)
    finally:
        for sock in listeners:
            sock.close()
    assert set(result.accepted) == set(wanted)
    assert result.scanned == 510
    assert result.refused == 507
    assert result.peak_open <= 128


# ---- identification ------------------------------------------------------------------------------

def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def joined(**parts) -> bytes:
    reply = {name: [json.loads(fixture(path))] for name, path in parts.items()}
    reply["id"] = 1
    return json.dumps(reply).encode()


CODE14 = fixture("other/error_code14_invalid_cmd__cmd-version__whatsminer-v1.1_2026-02.json")

API205 = {
    "summary+devdetails": joined(summary="asic-rs/v2/summary.json",
                                 devdetails="whatsminer-pulse/devdetails_deprecated_code132__M60S-class_2026-02.json"),
    "get_version": fixture("asic-rs/v2/get_version.json"),
    "get_miner_info": fixture("asic-rs/v2/get_miner_info.json"),
    "status": fixture("asic-rs/v2/status.json"),
}

ANTMINER = {
    "summary+devdetails": json.dumps({
        "summary": [{"STATUS": [{"STATUS": "S", "Code": 11, "Msg": "Summary", "Description": "bmminer 1.0.0"}],
                     "SUMMARY": [{"MHS av": 95000000.0}], "id": 1}],
        "devdetails": [{"STATUS": [{"STATUS": "S", "Code": 69, "Msg": "Device Details", "Description": "bmminer 1.0.0"}],
                        "DEVDETAILS": [{"Name": "BC5", "Model": "S19"}], "id": 1}],
        "id": 1,
    }).encode(),
}


def scripted(hosts: dict, log: list | None = None):
    """A WhatsMinerClient whose exchange answers from ``hosts[address][command]`` (bytes, or an exception)."""

    class ScriptedClient(WhatsMinerClient):
        def _exchange(self, command, request):
            if log is not None:
                log.append((self.host, command))
            answer = hosts[self.host].get(command, CODE14) if isinstance(hosts[self.host], dict) else hosts[self.host]
            if isinstance(answer, Exception):
                raise answer
            if callable(answer):
                return answer(self)
            return answer

    return ScriptedClient


def test_a_whatsminer_is_identified_with_the_facts_module_normalisation():
    log = []
    outcome = _identify.identify_one("10.0.0.5", 4028, 1.0, client_factory=scripted({"10.0.0.5": API205}, log))
    assert isinstance(outcome, _identify.Miner)
    facts = outcome.facts
    assert facts["firmware_version"] == "20230803.11.REL"
    assert facts["api_version"] == "2.0.5"
    assert facts["platform"] == "H616"
    assert facts["mac"] == "D4:01:02:03:04:05"
    assert facts["hostname"] == "WhatsMiner"
    assert facts["power_mode"] == "low"
    assert facts["is_mining"] is True
    assert facts["hashrate_ths"] == 125.0
    assert [command for _host, command in log] == ["summary+devdetails", "get_version", "get_miner_info", "status"]


@pytest.mark.parametrize("behaviour, reason", [
    (b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n", "not as a WhatsMiner API"),
    (b"", "closed the connection without a reply"),
    (CODE14, "answered every read with an error"),
    (ANTMINER, "does not identify as a WhatsMiner"),
    (MinerTimeout("10.0.0.6", "summary+devdetails", "no reply within 1 s"), "did not answer within 1 s"),
])
def test_hosts_that_are_not_whatsminers_are_skipped_with_a_reason(behaviour, reason):
    outcome = _identify.identify_one("10.0.0.6", 4028, 1.0, client_factory=scripted({"10.0.0.6": behaviour}))
    assert isinstance(outcome, _identify.Skipped)
    assert reason in outcome.reason
    assert "port 4028" in outcome.reason or "closed" in outcome.reason


def test_the_antminer_reason_names_what_it_reported():
    outcome = _identify.identify_one("10.0.0.7", 4028, 1.0, client_factory=scripted({"10.0.0.7": ANTMINER}))
    assert "'bmminer 1.0.0'" in outcome.reason
    assert "model S19" in outcome.reason


def test_identification_never_runs_more_hosts_at_once_than_its_workers():
    hosts = {f"10.0.1.{n}": API205 for n in range(1, 41)}
    running = {"now": 0, "peak": 0}

    def slow(reply):
        def answer(_client):
            running["now"] += 1
            running["peak"] = max(running["peak"], running["now"])
            time.sleep(0.005)
            running["now"] -= 1
            return reply
        return answer

    slow_hosts = {address: {command: slow(reply) for command, reply in script.items()} for address, script in hosts.items()}
    miners, skipped, peak = _identify.identify(list(hosts), 4028, 1.0, 4, client_factory=scripted(slow_hosts))
    assert len(miners) == 40 and not skipped
    assert peak <= 4
    assert running["peak"] <= 4
    assert [miner.address for miner in miners] == list(hosts)


def test_a_frozen_host_costs_one_timeout_and_does_not_stall_the_others():
    frozen = socket.socket()
    frozen.bind(("127.0.0.1", 0))
    frozen.listen(8)  # never accepts: the kernel completes the handshake, nobody ever answers
    port = frozen.getsockname()[1]
    hosts = {f"10.0.2.{n}": API205 for n in range(1, 21)}
    hosts["127.0.0.1"] = {}

    class Mixed(scripted(hosts)):
        def _exchange(self, command, request):
            if self.host == "127.0.0.1":
                return WhatsMinerClient._exchange(self, command, request)
            return super()._exchange(command, request)

    started = time.monotonic()
    try:
        miners, skipped, _peak = _identify.identify(["127.0.0.1"] + list(hosts)[:-1], port, 0.3, 4, client_factory=Mixed)
    finally:
        frozen.close()
    elapsed = time.monotonic() - started
    assert len(miners) == 20
    assert [item.address for item in skipped] == ["127.0.0.1"]
    assert "did not answer within 0.3 s" in skipped[0].reason
    assert elapsed < 1.5


# ---- the whole scan ------------------------------------------------------------------------------

def test_discover_sweeps_then_identifies_what_accepted_and_reports_figures():
    everything = block(500, "10.9")
    net = FakeNet({"10.9.0.10": "accept", "10.9.1.20": "accept", "10.9.0.99": "silent"})
    script = {"10.9.0.10": API205, "10.9.1.20": ANTMINER}
    found = _discovery.discover(everything, connect_timeout=0.5, concurrency=50, net=net,
                                client_factory=scripted(script), clock=net.clock)
    assert [miner.address for miner in found.miners] == ["10.9.0.10"]
    assert [item.address for item in found.skipped] == ["10.9.1.20"]
    stats = found.stats
    assert (stats["addresses"], stats["accepted"], stats["identified"], stats["skipped"], stats["timed_out"]) == (500, 2, 1, 1, 1)
    assert stats["peak_open_sockets"] <= 50
    assert "scanned 500 addresses" in found.summary()


def test_an_unforeseen_failure_on_one_host_skips_that_host_only():
    def explode(_client):
        raise RuntimeError("a reply nobody foresaw")
    hosts = {"10.0.3.1": {"summary+devdetails": explode}, "10.0.3.2": API205}
    miners, skipped, _peak = _identify.identify(list(hosts), 4028, 1.0, 2, client_factory=scripted(hosts))
    assert [miner.address for miner in miners] == ["10.0.3.2"]
    assert "RuntimeError: a reply nobody foresaw" in skipped[0].reason
