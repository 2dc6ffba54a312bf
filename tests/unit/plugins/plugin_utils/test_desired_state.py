# Copyright: (c) 2026, hashops.whatsminer contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""farm_state's validation: each part by its module's own rules, named by its variable; the role's argument
spec documents exactly the options the role passes on."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from ansible_collections.hashops.whatsminer.plugins.plugin_utils._desired_state import PARTS, problems

POOLS = [{"url": "stratum+tcp://btc.pool.example.com:3333", "user": "farm.m01", "password": "x"}]
SPEC = Path(__file__).resolve().parents[4] / "roles" / "farm_state" / "meta" / "argument_specs.yml"


def test_a_valid_state_has_no_problems():
    state = {"whatsminer_pools": POOLS, "whatsminer_power": {"mode": "low", "power_limit": 3000},
             "whatsminer_network": {"hostname": "m01", "timezone": "CST-8", "zonename": "Asia/Shanghai"},
             "whatsminer_settings": {"temp_offset": -2}, "whatsminer_led": {"state": "auto"},
             "whatsminer_customer_sn": "ASSET-1", "whatsminer_new_password": "n3wpass"}
    assert problems("m01", state, list(state) + ["whatsminer_password", "whatsminer_model", "whatsminer_pdu"]) == []


@pytest.mark.parametrize("state, words", [
    ({"whatsminer_power": {"power_limit": 150000}}, ["whatsminer_power: power_limit", "0 to 99999"]),
    ({"whatsminer_power": {"mdoe": "low"}}, ["whatsminer_power: unknown setting 'mdoe'", "did you mean mode?"]),
    ({"whatsminer_power": {"mode": "turbo"}}, ["whatsminer_power:", "turbo"]),
    ({"whatsminer_power": {"state": "stopped"}}, ["unknown setting 'state'"]),
    ({"whatsminer_power": "low"}, ["whatsminer_power: must be a mapping"]),
    ({"whatsminer_pools": [{"url": "not a url", "user": "w"}]}, ["whatsminer_pools: pools: pool 1: url"]),
    ({"whatsminer_network": {"hostname": "bad host!"}}, ["whatsminer_network: hostname"]),
    ({"whatsminer_network": {"dhcp": False}}, ["whatsminer_network:", "ip"]),
    ({"whatsminer_settings": {"temp_offset": 5}}, ["whatsminer_settings: temp_offset", "-30 to 0"]),
    ({"whatsminer_customer_sn": "x" * 200}, ["whatsminer_customer_sn:", "127"]),
    ({"whatsminer_led": {"state": "blink", "for_seconds": 5}}, ["unknown setting 'for_seconds'"]),
])
def test_each_problem_names_the_variable_and_the_cause(state, words):
    found = problems("m01", state, list(state))
    assert found, state
    assert all(any(word in sentence for sentence in found) for word in words), found


def test_a_misspelt_variable_is_named_with_its_likely_meaning():
    assert problems("m01", {}, ["whatsminer_powr", "whatsminer_site", "whatsminer_power_mode"]) == [
        "whatsminer_powr: not a farm_state variable; did you mean whatsminer_power?"]


def _suboptions(spec: dict) -> dict:
    return {name: {key: option.get(key) for key in ("type", "choices", "elements")} for name, option in spec.items()}


def test_the_role_spec_documents_each_part_as_its_module_takes_it():
    options = yaml.safe_load(SPEC.read_text())["argument_specs"]["main"]["options"]
    for part in PARTS:
        documented = options[part.variable]
        if part.options is not None:
            continue  # a scalar or list value mapped onto the module's options; pools below
        module = {name: part.resource.ARGUMENT_SPEC[name] for name in part.allowed()}
        assert _suboptions(documented["options"]) == _suboptions(module), part.variable
    pools = PARTS[1].resource.ARGUMENT_SPEC["pools"]["options"]
    assert _suboptions(options["whatsminer_pools"]["options"]) == _suboptions(pools)
    assert options["whatsminer_new_password"]["no_log"] is True


def test_the_role_sends_on_v3_miners_exactly_the_settings_the_module_reads_back_there():
    from ansible_collections.hashops.whatsminer.plugins.module_utils._resources import settings  # noqa: PLC0415

    role_vars = yaml.safe_load((SPEC.parent.parent / "vars" / "main.yml").read_text())
    assert tuple(role_vars["farm_state_settings_v3_readable"]) == settings.V3_READABLE
    assert set(settings.V3_READABLE) == set(settings.ARGUMENT_SPEC) - {"btminer_init"}
