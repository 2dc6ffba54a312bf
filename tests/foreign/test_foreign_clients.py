"""Clients written by others, unmodified from PyPI, talk to the simulated farm.

pyasic (get_miner, BTMinerRPCAPI, its WhatsMiner API V2 class, and BTMinerV3RPCAPI, its API V3 class) and whatsminer (WhatsminerAccessToken /
WhatsminerAPI) read and write through the farm; the farm's control API then proves each write arrived and
changed the miner.
Nothing from the repository is imported: the farm runs as a subprocess under $SIM_PYTHON (default
<repo>/.venv/bin/python), because it needs the collection's crypto dependencies, not this virtualenv's.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import os
import random
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

pytest.importorskip("pyasic", reason="run through tests/foreign/run.sh, which installs pyasic and whatsminer")
pytest.importorskip("whatsminer", reason="run through tests/foreign/run.sh, which installs pyasic and whatsminer")

from pyasic import get_miner  # noqa: E402
from pyasic.rpc.btminer import BTMinerRPCAPI, BTMinerV3RPCAPI  # noqa: E402
from whatsminer.api import WhatsminerAccessToken, WhatsminerAPI  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
FARM = REPO / "tests" / "simulator" / "farm.py"
PASSWORD = "s3cret"
# miners 0-1 api205 (M50S, M56S), 2-3 btminer2021 (M31S, M20S), 4 v3compat2026 (M60S); miner 2 carries error codes
API205, BTMINER, BTMINER_H3, V3COMPAT = 0, 2, 3, 4


class Farm:
    def __init__(self, proc, info) -> None:
        self.proc = proc
        self.miners = info["miners"]
        self.control = info["control"]

    def get(self, path: str):
        with urllib.request.urlopen(self.control + path, timeout=10) as resp:
            return json.loads(resp.read())

    def post(self, path: str, body: dict):
        req = urllib.request.Request(self.control + path, data=json.dumps(body).encode(), method="POST")
        with urllib.request.urlopen(req, timeout=10) as resp:
            return json.loads(resp.read())


def farm_network() -> str:
    """A /24 inside $HASHOPS_TEST_NETWORKS (a CIDR inside 127.0.0.0/8, for runs that must keep to a range),
    else a random one in 127.64.0.0 - 127.250.255.255."""
    wanted = os.environ.get("HASHOPS_TEST_NETWORKS")
    if wanted:
        network = ipaddress.ip_network(wanted, strict=False)
        if not network.subnet_of(ipaddress.ip_network("127.0.0.0/8")) or network.prefixlen > 24:
            raise RuntimeError("HASHOPS_TEST_NETWORKS must be a /24 or larger inside 127.0.0.0/8")
        return str(random.choice(list(network.subnets(new_prefix=24))))
    return "127.%d.%d.0/24" % (random.randint(64, 250), random.randint(0, 255))


@pytest.fixture(scope="module")
def farm(tmp_path_factory):
    python = os.environ.get("SIM_PYTHON", str(REPO / ".venv" / "bin" / "python"))
    ready = tmp_path_factory.mktemp("farm") / "ready.json"
    for _attempt in range(5):
        network = farm_network()
        proc = subprocess.Popen([python, str(FARM), "--miners", "5", "--network", network, "--password", PASSWORD,
                                 "--persona", "api205:2,btminer2021:2,v3compat2026:1", "--restart-seconds", "1", "--lifetime", "600",
                                 "--ready-file", str(ready)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 30
        while not ready.exists() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        if ready.exists():
            break
        proc.kill()
        proc.wait()
    else:
        pytest.fail("the simulated farm did not start: %s" % proc.stderr.read().decode())
    started = Farm(proc, json.loads(ready.read_text()))
    yield started
    proc.terminate()
    proc.wait(10)
    proc.stderr.close()


@pytest.fixture(autouse=True)
def fresh(farm):
    farm.post("/reset", {})


def pyasic_rpc(host: str) -> BTMinerRPCAPI:
    rpc = BTMinerRPCAPI(host)
    rpc.pwd = PASSWORD
    return rpc


@pytest.mark.parametrize("index", [API205, BTMINER, BTMINER_H3])
def test_pyasic_reads_every_v2_command(farm, index):
    rpc = pyasic_rpc(farm.miners[index])

    async def reads():
        return {
            "summary": await rpc.summary(), "pools": await rpc.pools(), "edevs": await rpc.edevs(),
            "devs": await rpc.devs(), "devdetails": await rpc.devdetails(), "version": await rpc.get_version(),
            "status": await rpc.status(), "info": await rpc.get_miner_info(), "psu": await rpc.get_psu(),
            "errors": await rpc.get_error_code(),
        }
    data = asyncio.run(reads())
    assert data["summary"]["SUMMARY"][0]["MHS av"] > 0
    assert data["pools"]["POOLS"][0]["URL"].startswith("stratum+tcp://")
    assert len(data["edevs"]["DEVS"]) == len(data["devdetails"]["DEVDETAILS"]) >= 3
    assert data["version"]["Msg"]["fw_ver"]
    assert data["info"]["Msg"]["ip"] == farm.miners[index]
    assert isinstance(data["errors"]["Msg"]["error_code"], (list, dict))
    if index == BTMINER:
        # API 2.0.4's invalid ["329":"..."] form, which pyasic repairs into an object
        assert data["errors"]["Msg"]["error_code"]
        assert data["status"]["Msg"]["btmineroff"] == "false"
    else:
        assert "mineroff" in data["status"]["Msg"] or "btmineroff" in data["status"]["Msg"]


@pytest.mark.parametrize("index", [API205, BTMINER, BTMINER_H3, V3COMPAT])
def test_pyasic_get_miner_identifies_each_persona_and_reads_its_data(farm, index):
    host = farm.miners[index]
    state = farm.get("/miners/" + host)
    if index == V3COMPAT and not state["web_listening"]:
        # 2024-11+ firmware is identified only by its web UI, which the farm runs on ports 80/443 when it may
        pytest.skip("the farm could not bind ports 80/443 here, so pyasic cannot tell this miner is a WhatsMiner")

    async def identify():
        miner = await get_miner(host)
        return miner, (await miner.get_data()) if miner is not None else None
    miner, data = asyncio.run(identify())
    assert miner is not None, "pyasic did not identify %s (%s)" % (host, state["persona"])
    assert str(miner.make) == "WhatsMiner" and str(data.model).startswith(state["model"] + " ")
    assert data.fw_ver == state["firmware_version"] and data.mac == state["mac"] and data.hostname == state["hostname"]
    assert len(data.hashboards) == 3 and float(data.hashrate) > 0.9 * state["hashrate_ths"]
    # pyasic reads 2024-11+ firmware through API V3 (port 4433), older firmware through V2 (4028)
    assert (type(miner).__mro__[1].__name__ == "BTMinerV3") == (index == V3COMPAT)


def test_pyasic_multicommand_splits_daemon_commands_and_joins_the_rest(farm):
    rpc = pyasic_rpc(farm.miners[BTMINER])
    data = asyncio.run(rpc.multicommand("summary", "pools", "edevs", "get_version", "status"))
    assert data["summary"][0]["SUMMARY"][0]["MHS av"] > 0
    assert data["get_version"][0]["Msg"]["api_ver"] == "whatsminer v1.4.0"
    assert data["pools"][0]["POOLS"] and data["edevs"][0]["DEVS"] and data["status"][0]["Msg"]


@pytest.mark.parametrize("index", [API205, BTMINER])
def test_pyasic_encrypted_writes_reach_the_miner(farm, index):
    host = farm.miners[index]
    rpc = pyasic_rpc(host)

    async def writes():
        led = await rpc.set_led(auto=False, color="green", period=200, duration=100, start=0)
        pools = await rpc.update_pools("stratum+tcp://pyasic.pool:3333", "pyasic.worker", "x")
        hostname = await rpc.set_hostname("pyasic-%d" % index)
        return led, pools, hostname
    led, pools, hostname = asyncio.run(writes())
    assert led["Code"] == pools["Code"] == hostname["Code"] == 131
    log = farm.get("/miners/%s/writes" % host)
    assert [(w["command"], w["code"]) for w in log] == [("set_led", 131), ("update_pools", 131), ("set_hostname", 131)]
    assert log[1]["params"]["passwd1"] == "********" and log[1]["params"]["pool2"] is None
    state = farm.get("/miners/" + host)
    assert state["led"]["color"] == "green" and state["hostname"] == "pyasic-%d" % index
    assert state["pools"][0] == {"url": "stratum+tcp://pyasic.pool:3333", "user": "pyasic.worker", "password_set": True}
    assert asyncio.run(rpc.pools())["POOLS"][0]["User"] == "pyasic.worker"


def test_pyasic_v3_rpc_reads_and_its_signed_writes_reach_the_miner(farm):
    """pyasic's own salt, token and framing (BTMinerV3RPCAPI.send_command) against port 4433."""
    host = farm.miners[V3COMPAT]
    rpc = BTMinerV3RPCAPI(host)
    rpc.pwd = PASSWORD  # pyasic defaults to "super"; the farm's miners have PASSWORD

    async def session():
        info = await rpc.get_device_info()
        summary = await rpc.get_miner_status_summary()
        setting = await rpc.get_miner_setting()
        stop = await rpc.set_miner_service("stop")
        led = await rpc.set_system_led()
        return info, summary, setting, stop, led
    info, summary, setting, stop, led = asyncio.run(session())
    state = farm.get("/miners/" + host)
    assert info["code"] == 0 and info["msg"]["miner"]["type"] == state["variant"]
    assert summary["msg"]["summary"]["hash-average"] > 0 and setting["code"] == 0
    assert stop["code"] == 0 and led["code"] == 0
    log = farm.get("/miners/%s/writes" % host)
    assert [(w["command"], w["api"], w["code"], w.get("v2_command")) for w in log] == [
        ("set.miner.service", "v3", 0, "power_off"), ("set.system.led", "v3", 0, "set_led")]
    assert state["mining"] is False and state["led"] == {"mode": "auto"}


def test_pyasic_v3_rpc_with_its_default_password_gets_no_permission(farm):
    host = farm.miners[V3COMPAT]
    reply = asyncio.run(BTMinerV3RPCAPI(host).set_miner_service("stop"))
    assert reply["code"] == -4
    assert farm.get("/miners/%s/writes" % host)[-1]["code"] == -4
    assert farm.get("/miners/" + host)["mining"] is True


def test_pyasic_power_limit_write_restarts_and_reads_back(farm):
    host = farm.miners[API205]
    rpc = BTMinerRPCAPI(host, api_ver="2.0.5")
    rpc.pwd = PASSWORD
    assert asyncio.run(rpc.adjust_power_limit(3000))["Code"] == 131
    time.sleep(1.5)
    assert asyncio.run(rpc.status())["Msg"]["power_limit_set"] == "3000"
    assert asyncio.run(rpc.summary())["SUMMARY"][0]["Power Limit"] == 3000


def test_pyasic_sees_the_write_api_switch_off(farm):
    host = farm.miners[API205]
    farm.post("/miners/%s/write_api" % host, {"enabled": False})
    with pytest.raises(Exception, match="can't access write cmd"):
        asyncio.run(pyasic_rpc(host).set_led(auto=True))
    assert farm.get("/miners/%s/writes" % host)[-1]["code"] == 45


@pytest.mark.parametrize("index,reads", [
    (API205, ("summary", "pools", "edevs", "devdetails", "get_version", "status", "get_psu", "get_miner_info")),
    # btminer-forwarded replies of 2021 firmware end with a NUL that this client's json.loads cannot take;
    # the api daemon's own replies have none
    (BTMINER, ("get_version", "status", "get_psu", "get_miner_info")),
])
def test_whatsminer_package_reads(farm, index, reads):
    token = WhatsminerAccessToken(ip_address=farm.miners[index])
    for command in reads:
        reply = WhatsminerAPI.get_read_only_info(token, command)
        assert reply["STATUS"] == "S" or reply["STATUS"][0]["STATUS"] == "S", command


@pytest.mark.parametrize("index", [API205, BTMINER])
def test_whatsminer_package_encrypted_writes_reach_the_miner(farm, index):
    host = farm.miners[index]
    token = WhatsminerAccessToken(ip_address=host, admin_password=PASSWORD)
    led = WhatsminerAPI.exec_command(token, "set_led", additional_params={
        "color": "red", "period": "2000", "duration": "1000", "start": "0"})
    pools = WhatsminerAPI.exec_command(token, "update_pools", additional_params={
        "pool1": "stratum+tcp://wm.pool:443", "worker1": "wm.worker", "passwd1": "pw1",
        "pool2": "", "worker2": "", "passwd2": "", "pool3": "", "worker3": "", "passwd3": ""})
    off = WhatsminerAPI.exec_command(token, "power_off", additional_params={"respbefore": "true"})
    assert led["Code"] == pools["Code"] == off["Code"] == 131
    log = farm.get("/miners/%s/writes" % host)
    assert [w["command"] for w in log] == ["set_led", "update_pools", "power_off"]
    state = farm.get("/miners/" + host)
    assert state["led"]["mode"] == "manual" and state["mining"] is False
    assert [p["url"] for p in state["pools"]] == ["stratum+tcp://wm.pool:443", "", ""]
    status = WhatsminerAPI.get_read_only_info(token, "status")["Msg"]
    assert status.get("mineroff", status.get("btmineroff")) == "true"


def test_whatsminer_package_gets_the_write_disabled_error(farm):
    host = farm.miners[API205]
    farm.post("/miners/%s/write_api" % host, {"enabled": False})
    token = WhatsminerAccessToken(ip_address=host, admin_password=PASSWORD)
    reply = WhatsminerAPI.exec_command(token, "set_led", additional_params={"param": "auto"})
    assert (reply["Code"], reply["Msg"]) == (45, "can't access write cmd")
