# Copyright: (c) 2026, hashops.whatsminer contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The inventory plugin through Ansible's own InventoryManager, with the network scan replaced.

The scan (``_discovery.discover``) is mocked: these tests prove what the plugin makes of its
result: hosts, names, variables, groups, constructed features, trust and caching. The engine
itself is tested in tests/unit/plugins/module_utils/test_discovery.py.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import yaml

from ansible import constants as C
from ansible.errors import AnsibleParserError
from ansible.inventory.data import InventoryData
from ansible.inventory.manager import InventoryManager
from ansible.parsing.dataloader import DataLoader
from ansible.template import Templar, is_trusted_as_template, trust_as_template
from ansible.utils.collection_loader import AnsibleCollectionConfig
from ansible.utils.display import Display

PLUGIN = "hashops.whatsminer.whatsminer"
EVIL = "{{ lookup('pipe', 'id') }}"


def _collections_root() -> str:
    for parent in Path(__file__).resolve().parents:
        if parent.name == "ansible_collections":
            return str(parent.parent)
    import ansible_collections  # pylint: disable=import-outside-toplevel
    return str(Path(list(ansible_collections.__path__)[0]).parent)


@pytest.fixture(scope="module", autouse=True)
def collection_loader():
    """Ansible's collection loader, as ansible-test units and the ansible CLIs install it."""
    if AnsibleCollectionConfig.collection_finder is None:
        from ansible.plugins.loader import init_plugin_loader  # pylint: disable=import-outside-toplevel
        root = _collections_root()
        # modules imported before the loader was installed would be loaded twice otherwise
        for name in [name for name in sys.modules if name == "ansible_collections" or name.startswith("ansible_collections.")]:
            del sys.modules[name]
        init_plugin_loader([root])


@pytest.fixture
def engine():
    from ansible_collections.hashops.whatsminer.plugins.module_utils import _discovery, _identify  # pylint: disable=import-outside-toplevel
    return _discovery, _identify


def facts(n: int, **overrides) -> dict:
    base = {
        "model": "M56SVH30", "model_raw": "M56S_VH30", "firmware_version": "20240624.18.REL", "api_version": "2.0.5",
        "api": "v3",
        "platform": "H616", "mac": f"C4:1A:2B:00:00:{n:02X}", "serial": f"HTM56{n:010d}", "hostname": "WhatsMiner",
        "power_mode": "normal", "hashrate_ths": 212.5, "is_mining": True, "ip": "ignored", "temperature": {"env_c": 30},
    }
    base.update(overrides)
    return base


class FakeScan:
    """Stands in for _discovery.discover; records each call."""

    def __init__(self, engine_, miners, skipped=()):
        self.discovery, self.identify = engine_
        self.miners = miners
        self.skipped = skipped
        self.calls = []

    def __call__(self, targets, **options):
        self.calls.append((list(targets), options))
        stats = {"addresses": 0, "port": options["port"], "accepted": 0, "identified": len(self.miners),
                 "skipped": len(self.skipped), "timed_out": 0, "concurrency": options["concurrency"],
                 "requested_concurrency": options["concurrency"], "peak_open_sockets": 0,
                 "sweep_s": 0.0, "identify_s": 0.0, "total_s": 0.0}
        return self.discovery.Discovery(
            [self.identify.Miner(address, found) for address, found in self.miners],
            [self.identify.Skipped(address, reason) for address, reason in self.skipped],
            stats,
        )


@pytest.fixture
def scan(engine, monkeypatch):
    def install(miners, skipped=()):
        fake = FakeScan(engine, miners, skipped)
        monkeypatch.setattr(engine[0], "discover", fake)
        return fake
    return install


@pytest.fixture
def write_config(tmp_path):
    def write(name="farm.whatsminer.yml", **options):
        config = {"plugin": PLUGIN, "networks": ["10.20.0.0/24"]}
        config.update(options)
        path = tmp_path / name
        path.write_text(yaml.safe_dump(config))
        return str(path)
    return write


def inventory(path, monkeypatch, cache=True) -> InventoryManager:
    monkeypatch.setattr(C, "INVENTORY_ENABLED", [PLUGIN])
    return InventoryManager(loader=DataLoader(), sources=[path], cache=cache)


def host_vars(manager, name) -> dict:
    return manager.get_host(name).get_vars()


def group_hosts(manager, group) -> list:
    return sorted(host.name for host in manager.groups[group].get_hosts())


def test_every_miner_becomes_a_host_named_by_mac_with_connection_vars_and_facts(scan, write_config, monkeypatch):
    fake = scan([("10.20.0.5", facts(5)), ("10.20.0.6", facts(6, power_mode=None))])
    manager = inventory(write_config(port=14028, concurrency=77), monkeypatch)
    assert sorted(host.name for host in manager.get_hosts()) == ["c4-1a-2b-00-00-05", "c4-1a-2b-00-00-06"]
    found = host_vars(manager, "c4-1a-2b-00-00-05")
    assert found["ansible_host"] == "10.20.0.5"
    assert found["ansible_connection"] == "local"
    assert found["ansible_python_interpreter"] == "{{ ansible_playbook_python }}"
    assert {key: value for key, value in found.items() if key.startswith("whatsminer_")} == {
        "whatsminer_model": "M56SVH30", "whatsminer_firmware_version": "20240624.18.REL",
        "whatsminer_api_version": "2.0.5", "whatsminer_platform": "H616", "whatsminer_mac": "C4:1A:2B:00:00:05",
        "whatsminer_serial": "HTM560000000005", "whatsminer_hostname": "WhatsMiner", "whatsminer_power_mode": "normal",
        "whatsminer_hashrate_ths": 212.5, "whatsminer_is_mining": True, "whatsminer_api": "v3",
    }
    assert host_vars(manager, "c4-1a-2b-00-00-06")["whatsminer_power_mode"] is None
    _targets, options = fake.calls[0]
    assert len(_targets) == 254
    assert (options["port"], options["concurrency"], options["connect_timeout"], options["read_timeout"]) == (14028, 77, 0.5, 3.0)
    assert options["v3_port"] == 4433  # each miner found is asked whether it has API V3 (whatsminer_api)


def test_default_groups_are_all_miners_by_model_and_by_firmware(scan, write_config, monkeypatch):
    scan([("10.20.0.5", facts(5)), ("10.20.0.6", facts(6, model="M30S+VE40", firmware_version="20230803.11.REL")),
          ("10.20.0.7", facts(7, model=None))])
    manager = inventory(write_config(), monkeypatch)
    assert group_hosts(manager, "whatsminer") == ["c4-1a-2b-00-00-05", "c4-1a-2b-00-00-06", "c4-1a-2b-00-00-07"]
    assert group_hosts(manager, "whatsminer_model_M56SVH30") == ["c4-1a-2b-00-00-05"]
    assert group_hosts(manager, "whatsminer_model_M30S_VE40") == ["c4-1a-2b-00-00-06"]
    assert group_hosts(manager, "whatsminer_firmware_20240624_18_REL") == ["c4-1a-2b-00-00-05", "c4-1a-2b-00-00-07"]
    assert group_hosts(manager, "whatsminer_firmware_20230803_11_REL") == ["c4-1a-2b-00-00-06"]
    assert not [name for name in manager.groups if name.startswith("whatsminer_model_None")]


def test_each_network_entry_gives_its_vars_to_the_miners_found_in_it(scan, write_config, monkeypatch):
    scan([("10.20.0.5", facts(5)), ("10.30.0.9", facts(9))])
    path = write_config(networks=[{"network": "10.20.0.0/24", "vars": {"site": "north", "rack": "r1"}},
                                  {"network": "10.30.0.1-10.30.0.50", "vars": {"site": "south"}}])
    manager = inventory(path, monkeypatch)
    assert host_vars(manager, "c4-1a-2b-00-00-05")["site"] == "north"
    assert host_vars(manager, "c4-1a-2b-00-00-05")["rack"] == "r1"
    assert host_vars(manager, "c4-1a-2b-00-00-09")["site"] == "south"
    assert "rack" not in host_vars(manager, "c4-1a-2b-00-00-09")


@pytest.mark.parametrize("hostnames, expected", [
    (["mac"], "c4-1a-2b-00-00-05"),
    (["serial", "mac"], "HTM560000000005"),
    (["hostname"], "rack7-slot5"),
    (["ip"], "10.20.0.5"),
])
def test_hostnames_take_the_first_preference_the_miner_reports(scan, write_config, monkeypatch, hostnames, expected):
    scan([("10.20.0.5", facts(5, hostname="rack7-slot5"))])
    manager = inventory(write_config(hostnames=hostnames), monkeypatch)
    assert [host.name for host in manager.get_hosts()] == [expected]


def test_hostnames_skip_missing_invalid_and_duplicate_names_and_fall_back_to_the_address(scan, write_config, monkeypatch):
    scan([
        ("10.20.0.5", facts(5, serial=None, hostname=EVIL)),
        ("10.20.0.6", facts(6, serial=None, hostname="WhatsMiner", mac="not a mac")),
        ("10.20.0.7", facts(7, serial=None, hostname="WhatsMiner", mac="C4:1A:2B:00:00:05")),
    ])
    manager = inventory(write_config(hostnames=["serial", "hostname", "mac"]), monkeypatch)
    # .5: serial missing, hostname not a host name -> mac; .6: hostname; .7: hostname taken, mac taken -> address
    assert sorted(host.name for host in manager.get_hosts()) == ["10.20.0.7", "WhatsMiner", "c4-1a-2b-00-00-05"]


def test_compose_groups_and_keyed_groups_use_the_miner_facts(scan, write_config, monkeypatch):
    scan([("10.20.0.5", facts(5)), ("10.20.0.6", facts(6, is_mining=False, power_mode="low", hashrate_ths=0.0))])
    path = write_config(
        networks=[{"network": "10.20.0.0/24", "vars": {"site": "north"}}],
        compose={"th": "whatsminer_hashrate_ths * 1000", "where": "site ~ '-' ~ whatsminer_serial"},
        groups={"idle": "not whatsminer_is_mining"},
        keyed_groups=[{"key": "whatsminer_power_mode", "prefix": "power"}, {"key": "site", "prefix": "site"}],
    )
    manager = inventory(path, monkeypatch)
    assert host_vars(manager, "c4-1a-2b-00-00-05")["th"] == 212500.0
    assert host_vars(manager, "c4-1a-2b-00-00-06")["where"] == "north-HTM560000000006"
    assert group_hosts(manager, "idle") == ["c4-1a-2b-00-00-06"]
    assert group_hosts(manager, "power_normal") == ["c4-1a-2b-00-00-05"]
    assert group_hosts(manager, "power_low") == ["c4-1a-2b-00-00-06"]
    assert group_hosts(manager, "site_north") == ["c4-1a-2b-00-00-05", "c4-1a-2b-00-00-06"]


def test_strict_makes_a_broken_compose_expression_fail(scan, write_config, monkeypatch):
    scan([("10.20.0.5", facts(5))])
    path = write_config(strict=True, compose={"x": "no_such_variable + 1"})
    plugin = _plugin()
    with pytest.raises(Exception, match="Could not set x"):
        plugin.parse(InventoryData(), DataLoader(), path, cache=False)


def test_values_a_miner_reports_are_never_templated(scan, write_config, monkeypatch):
    scan([("10.20.0.5", facts(5, hostname=EVIL, model=EVIL, firmware_version="{{ 7 * 6 }}"))])
    path = write_config(compose={"copy": "whatsminer_hostname"},
                        keyed_groups=[{"key": "whatsminer_firmware_version", "prefix": "fw"}])
    manager = inventory(path, monkeypatch)
    found = host_vars(manager, "c4-1a-2b-00-00-05")
    assert found["whatsminer_hostname"] == EVIL
    assert not is_trusted_as_template(found["whatsminer_hostname"])
    assert not is_trusted_as_template(found["whatsminer_model"])
    assert found["copy"] == EVIL
    assert is_trusted_as_template(found["ansible_python_interpreter"])
    templar = Templar(loader=DataLoader(), variables=dict(found, ansible_playbook_python="/usr/bin/python3"))
    assert templar.template(trust_as_template("{{ whatsminer_hostname }}")) == EVIL
    assert templar.template(trust_as_template("{{ whatsminer_firmware_version }}")) == "{{ 7 * 6 }}"
    assert templar.template(found["ansible_python_interpreter"]) == "/usr/bin/python3"
    assert "fw____7___6___" in manager.groups
    assert "whatsminer_firmware____7___6___" in manager.groups


def test_skipped_hosts_and_the_scan_figures_are_shown_at_v(scan, write_config, monkeypatch):
    shown = []
    monkeypatch.setattr(Display, "v", lambda self, msg, host=None: shown.append(msg))
    scan([("10.20.0.5", facts(5))], skipped=[("10.20.0.9", "answers on port 4028, but answered every read with an error")])
    inventory(write_config(), monkeypatch)
    assert "whatsminer inventory: skipped 10.20.0.9: it answers on port 4028, but answered every read with an error" in shown
    assert any("scanned 0 addresses" in message for message in shown)


def test_the_cache_answers_the_second_run_and_flush_cache_scans_again(scan, write_config, monkeypatch, tmp_path):
    fake = scan([("10.20.0.5", facts(5, hostname=EVIL)), ("10.20.0.6", facts(6))])
    path = write_config(cache=True, cache_plugin="ansible.builtin.jsonfile", cache_connection=str(tmp_path / "cache"))
    first = inventory(path, monkeypatch)
    assert len(fake.calls) == 1
    second = inventory(path, monkeypatch)
    assert len(fake.calls) == 1, "the second run must come from the cache"
    assert sorted(host.name for host in second.get_hosts()) == sorted(host.name for host in first.get_hosts())
    cached = host_vars(second, "c4-1a-2b-00-00-05")
    assert cached == host_vars(first, "c4-1a-2b-00-00-05")
    assert not is_trusted_as_template(cached["whatsminer_hostname"])
    assert is_trusted_as_template(cached["ansible_python_interpreter"])
    assert list((tmp_path / "cache").iterdir())
    assert "password" not in (next((tmp_path / "cache").iterdir())).read_text()
    fake.miners = []
    flushed = inventory(path, monkeypatch, cache=False)
    assert len(fake.calls) == 2
    assert not flushed.get_hosts()
    assert not inventory(path, monkeypatch).get_hosts(), "--flush-cache must also refresh the cache"


def test_without_cache_every_run_scans(scan, write_config, monkeypatch):
    fake = scan([("10.20.0.5", facts(5))])
    path = write_config()
    inventory(path, monkeypatch)
    inventory(path, monkeypatch)
    assert len(fake.calls) == 2


def test_cached_miners_outside_the_configured_networks_are_dropped(scan, write_config, monkeypatch, tmp_path):
    scan([("10.20.0.5", facts(5)), ("10.20.0.6", facts(6))])
    cache = {"cache": True, "cache_plugin": "ansible.builtin.jsonfile", "cache_connection": str(tmp_path / "cache")}
    path = write_config(**cache)
    inventory(path, monkeypatch)
    path = write_config(exclude=["10.20.0.6"], **cache)
    assert [host.name for host in inventory(path, monkeypatch).get_hosts()] == ["c4-1a-2b-00-00-05"]


def _plugin():
    from ansible.plugins.loader import inventory_loader  # pylint: disable=import-outside-toplevel
    return inventory_loader.get(PLUGIN)


@pytest.mark.parametrize("options, message", [
    ({"networks": ["10.0.0.0/33"]}, "is not a CIDR"),
    ({"networks": ["10.0.0.0/24"], "exclude": ["nope"]}, "exclude: 'nope'"),
    ({"concurrency": 0}, "'concurrency' must be greater than 0"),
    ({"connect_timeout": 0}, "'connect_timeout' must be greater than 0"),
    ({"port": 70000}, "'port' must be 65535 or less"),
])
def test_bad_configuration_fails_with_a_readable_message(write_config, options, message):
    with pytest.raises(AnsibleParserError, match=message.replace("(", r"\(").replace(")", r"\)")):
        _plugin().parse(InventoryData(), DataLoader(), write_config(**options), cache=False)


@pytest.mark.parametrize("name, accepted", [
    ("farm.whatsminer.yml", True),
    ("farm.whatsminer.yaml", True),
    ("whatsminer.yml", True),
    ("farm.yml", False),
    ("farmwhatsminer.yml", False),
    ("farm.whatsminer.json", False),
])
def test_only_files_named_for_the_plugin_are_claimed(tmp_path, name, accepted):
    path = tmp_path / name
    path.write_text("plugin: " + PLUGIN)
    assert _plugin().verify_file(str(path)) is accepted
