# Copyright: (c) 2026, hashops.whatsminer contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""whatsminer_settings, _led, _system, _customer_msg and _password: validation, what is read, what is written."""

from __future__ import annotations

import pytest

from ansible_collections.hashops.whatsminer.plugins.module_utils._converge import InvalidOption, Reading
from ansible_collections.hashops.whatsminer.plugins.module_utils._errors import WrongPassword
from ansible_collections.hashops.whatsminer.plugins.module_utils._resources import (
    customer_msg,
    led,
    password,
    settings,
    system,
)


def spec_params(resource, **options):
    params = {name: spec.get("default") for name, spec in resource.ARGUMENT_SPEC.items()}
    params.update(options)
    return params


# ---- settings: nothing reads back, everything set is sent every time ---------------------------

def test_settings_sends_every_option_set_in_a_fixed_order():
    params = spec_params(settings, web_pools=False, btminer_init=True, temp_offset=-10, poweroff_cool=True,
                         fan_zero_speed=False, heat_mode="heating",
                         syslog={"ip": "10.0.0.5", "port": 514, "proto": "udp"})
    want = settings.desired(params, "h")
    assert settings.current(settings.read(None, params), want) == {}
    steps = settings.plan(want, {}, list(want), params)
    assert [(s.command, s.params) for s in steps] == [
        ("disable_web_pools", {}), ("enable_btminer_init", {}), ("set_poweroff_cool", {"poweroff_cool": "1"}),
        ("set_fan_zero_speed", {"fan_zero_speed": "0"}), ("set_temp_offset", {"temp_offset": "-10"}),
        ("set_heat_mode", {"mode": "heating"}), ("load_log", {"ip": "10.0.0.5", "port": "514", "proto": "udp"})]


@pytest.mark.parametrize("options, option", [
    ({"temp_offset": 1}, "temp_offset"), ({"temp_offset": -31}, "temp_offset"),
    ({"syslog": {"ip": "syslog.local", "port": 514, "proto": "udp"}}, "syslog"),
    ({"syslog": {"ip": "10.0.0.5", "port": 70000, "proto": "udp"}}, "syslog"),
])
def test_settings_refuses_out_of_range(options, option):
    with pytest.raises(InvalidOption, match=f"option '{option}'"):
        settings.desired(spec_params(settings, **options), "h")


# ---- led ------------------------------------------------------------------------------------------

def led_reading(ledstat):
    return Reading({"led": ledstat})


def test_led_auto_is_idempotent_and_blink_timing_is_unverifiable():
    auto = led.desired(spec_params(led, state="auto"), "h")
    assert led.current(led_reading("auto"), auto) == {"state": "auto"}
    assert led.plan(auto, {"state": "auto"}, [], spec_params(led, state="auto")) == []
    blink = led.desired(spec_params(led, state="blink", color="green"), "h")
    have = led.current(led_reading("manual"), blink)
    assert have == {"state": "blink"} and set(blink) - set(have) == {"color", "period", "duration", "start"}
    step = led.plan(blink, have, ["color"], spec_params(led, state="blink", color="green"))[0]
    assert step.params == {"color": "green", "period": 1000, "duration": 500, "start": 0}


def test_led_for_seconds_blinks_then_goes_back_to_auto():
    params = spec_params(led, state="blink", for_seconds=30)
    want = led.desired(params, "h")
    assert want == {"state": "auto"}
    steps = led.plan(want, {"state": "auto"}, [], params)
    assert [(s.command, s.params.get("param"), s.hold_s) for s in steps] == [("set_led", None, 30),
                                                                             ("set_led", "auto", 0)]
    assert steps[0].unverifiable == ("color", "period", "duration", "start")


@pytest.mark.parametrize("options, option", [
    ({"period": 0}, "period"), ({"duration": 2000}, "duration"), ({"start": -1}, "start"),
    ({"for_seconds": 0}, "for_seconds"),
])
def test_led_refuses_bad_timing(options, option):
    with pytest.raises(InvalidOption, match=f"option '{option}'"):
        led.desired(spec_params(led, state="blink", **options), "h")


# ---- system ---------------------------------------------------------------------------------------

def test_factory_reset_needs_confirm():
    with pytest.raises(InvalidOption, match="confirm: true"):
        system.desired(spec_params(system, action="factory_reset"), "h")
    step = system.plan({"action": "factory_reset"}, {}, ["action"], spec_params(system, confirm=True))[0]
    assert step.restarts == "reboot" and "admin" in step.note


def test_pre_power_on_repeats_until_complete():
    step = system.plan({"action": "pre_power_on"}, {}, ["action"], spec_params(system))[0]
    assert not step.until({"Msg": {"complete": "false", "msg": "wait for adjust temp"}})
    assert step.until({"Msg": {"complete": "true", "msg": "adjust complete"}})
    assert not step.until(None)


@pytest.mark.parametrize("action, restarts", [("reboot", "reboot"), ("restart_btminer", "btminer")])
def test_restarting_actions(action, restarts):
    assert system.plan({"action": action}, {}, ["action"], spec_params(system))[0].restarts == restarts


# ---- customer messages ----------------------------------------------------------------------------

def test_customer_messages_compare_missing_keys_as_empty():
    params = spec_params(customer_msg, messages={"CustomerSn": "A-1", "msg3": ""})
    want = customer_msg.desired(params, "h")
    have = customer_msg.current(Reading({"messages": {"CustomerSn": "A-0"}}), want)
    assert have == {"CustomerSn": "A-0", "msg3": ""}
    steps = customer_msg.plan(want, have, ["CustomerSn"], params)
    assert [(s.command, s.params) for s in steps] == [("set_customer_msg", {"key": "CustomerSn", "val": "A-1"})]


@pytest.mark.parametrize("messages", [{"serial": "x"}, {"msg0": "y" * 128}])
def test_customer_messages_refused(messages):
    with pytest.raises(InvalidOption, match="option 'messages'"):
        customer_msg.desired(spec_params(customer_msg, messages=messages), "h")


class ProbeClient:
    host = "10.0.0.3"

    def __init__(self, works):
        self.works = works


def test_customer_messages_read_is_encrypted():
    class Client:
        host = "h"

        def __init__(self):
            self.sent = []

        def write(self, command, **params):
            self.sent.append(command)
            return {"STATUS": "S", "Msg": {"CustomerSn": "T-9"}}
    client = Client()
    assert customer_msg.read(client, {"password": "pw"}).state == {"messages": {"CustomerSn": "T-9"}}
    assert client.sent == ["get_customer_msg"]


# ---- password -------------------------------------------------------------------------------------

@pytest.mark.parametrize("new", ["toolong99", "bad-pw", "", "pässwd"])
def test_password_rules_are_checked_before_sending(new):
    with pytest.raises(InvalidOption) as err:
        password.desired({"new_password": new}, "h")
    assert new not in str(err.value) or not new


def test_password_probe_with_the_new_password(monkeypatch):
    probed = []

    class Probe:
        def __init__(self, works):
            self.works = works

        def write(self, command):
            probed.append(command)
            if not self.works:
                raise WrongPassword("h", command, 23, "json cmd err")
            return {"STATUS": "S"}
    for works in (True, False):
        monkeypatch.setattr(password, "client_from_params", lambda params, works=works: Probe(works))
        reading = password.read(ProbeClient(works), {"new_password": "n3w_pw", "password": "old", "host": "h"})
        assert reading.state == {"password": "new_password" if works else "another password"}
    assert probed == ["get_version", "get_version"]


def test_password_change_sends_old_and_new_masked():
    params = {"new_password": "n3w_pw", "password": "0ld_pw"}
    step = password.plan({"password": "new_password"}, {"password": "another password"}, ["password"], params)[0]
    assert step.params == {"old": "0ld_pw", "new": "n3w_pw"}
    assert step.shown()["params"] == {"old": "********", "new": "********"}
    assert password.secrets(params) == {"n3w_pw"}
