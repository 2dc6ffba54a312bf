"""The settings a miner keeps across requests: what writes change and reads report."""

from __future__ import annotations

import copy
import ipaddress
from dataclasses import dataclass, field, fields

FACTORY_POOL_URL = "stratum+tcp://btc.ss.poolin.com:443"
FACTORY_POOL_USER = "microbtinitial"
DEFAULT_NTP = ["0.cn.pool.ntp.org", "0.openwrt.pool.ntp.org", "0.asia.pool.ntp.org", "0.pool.ntp.org"]


@dataclass
class Pool:
    url: str = ""
    user: str = ""
    password: str = ""


@dataclass
class Settings:
    pools: list
    hostname: str = "WhatsMiner"
    network: dict = field(default_factory=dict)  # proto, ip, netmask, gateway, dns
    power_mode: str = "normal"  # low / normal / high
    power_limit_w: int | None = None  # None: the model's default limit
    power_pct: int = 100
    power_target_w: int | None = None  # set_power
    target_freq_pct: int = 0
    mining: bool = True
    mineroff_reason: str = ""
    mineroff_time: str = ""
    fast_boot: bool = False
    web_pools: bool = True
    led: dict = field(default_factory=lambda: {"mode": "auto"})
    write_api: bool = False
    upfreq_speed: int = 0
    temp_offset: int = 0
    poweroff_cool: bool = False
    fan_zero_speed: bool = False
    heat_mode: str = "anti-icing"
    btminer_init: bool = True
    timezone: str = "CST-8"
    zonename: str = "Asia/Shanghai"
    rsyslog: dict | None = None
    customer_msg: dict = field(default_factory=dict)
    # API V3 only: the largest random delays (s) before network services start and mining stops (v3system.py);
    # no source shows a factory value, 0/0 (no delay) is the simulator's choice
    time_randomized: dict = field(default_factory=lambda: {"start": 0, "stop": 0})
    firmware_version: str = ""
    errors: list = field(default_factory=list)
    pre_power_on_since: float | None = None


def dhcp_lease(address: str, network: ipaddress.IPv4Network) -> dict:
    """What DHCP on the farm's network would give the miner at its own address."""
    return {
        "proto": "dhcp",
        "ip": address,
        "netmask": str(network.netmask),
        "gateway": str(network.broadcast_address - 1),
        "dns": str(network.broadcast_address - 1),
    }


def factory_settings(address: str, network, hardware, identity) -> Settings:
    """A miner fresh out of factory_reset: write API off, one factory pool, DHCP."""
    return Settings(
        pools=[Pool(FACTORY_POOL_URL, FACTORY_POOL_USER, "123"), Pool(), Pool()],
        network=dhcp_lease(address, network),
        firmware_version=hardware.firmware,
        errors=list(identity.errors),
    )


def farm_settings(index: int, address: str, network, hardware, identity) -> Settings:
    """How the farm's miners start: configured by the operator, write API switched on."""
    settings = factory_settings(address, network, hardware, identity)
    worker = "farm.%s%04d" % (hardware.model.lower(), index + 1)
    settings.pools = [
        Pool("stratum+tcp://btc.pool.example.com:3333", worker, "x"),
        Pool("stratum+tcp://btc-backup.pool.example.com:443", worker, "x"),
        Pool(),
    ]
    settings.write_api = True
    return settings


def changed_fields(before: Settings, after: Settings) -> dict:
    """{field: value before} for every Settings field that differs (what a stale fault puts back)."""
    return {f.name: copy.deepcopy(getattr(before, f.name)) for f in fields(Settings)
            if getattr(before, f.name) != getattr(after, f.name)}
