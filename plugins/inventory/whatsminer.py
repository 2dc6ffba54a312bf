# Copyright: (c) 2026, hashops.whatsminer contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: whatsminer
short_description: Discover every WhatsMiner on the farm's subnets
version_added: 0.1.0
author:
  - hashops.whatsminer maintainers (@hashops)
description:
  - Scans the listed networks for MicroBT WhatsMiner miners and adds each one as a host, named by something
    that survives DHCP (its MAC address by default).
  - Stage one is a TCP connect sweep of the API port with non-blocking sockets, at most O(concurrency) connections
    in flight, each given up after O(connect_timeout) seconds. Nothing is sent to an address in this stage.
  - Stage two identifies each address that accepted, with the reads of C(hashops.whatsminer.whatsminer_facts)
    subsets C(identity) and C(mining) (one joined C(summary+devdetails) read, then C(get_version),
    C(get_miner_info) and C(status)), in a bounded pool of workers. A host that answers on the port but is not a
    WhatsMiner (garbage, an error to every command, or silence past O(read_timeout)) is skipped; run with C(-v)
    to see each skipped address and why, and the scan's figures.
  - Every host gets C(ansible_host), C(ansible_connection=local) and
    C(ansible_python_interpreter={{ ansible_playbook_python }}), the variables of the O(networks) entry it was
    found in, and the C(whatsminer_*) variables listed below, normalised as C(whatsminer_facts) normalises them.
  - "Host variables: C(whatsminer_model), C(whatsminer_firmware_version), C(whatsminer_api_version),
    C(whatsminer_platform), C(whatsminer_mac), C(whatsminer_serial), C(whatsminer_hostname),
    C(whatsminer_power_mode), C(whatsminer_hashrate_ths), C(whatsminer_is_mining), C(whatsminer_api) (V(v2) or
    V(v3), see O(v3_port)). A value the miner does not report is null."
  - "Groups: C(whatsminer) (every miner found), C(whatsminer_model_<model>) (for example
    C(whatsminer_model_M56SVH30)) and C(whatsminer_firmware_<version>) (for example
    C(whatsminer_firmware_20240624_18_REL)), characters not allowed in group names replaced by C(_)."
  - Values a miner reports are data, never templates, in host variables, in groups and in the cache.
  - The configuration file must be named C(whatsminer.yml), C(whatsminer.yaml), or end in C(.whatsminer.yml) or
    C(.whatsminer.yaml).
extends_documentation_fragment:
  - constructed
  - inventory_cache
options:
  plugin:
    description:
      - Marks the file as a configuration of this plugin.
    required: true
    type: str
    choices:
      - hashops.whatsminer.whatsminer
  networks:
    description:
      - What to scan. Each entry is a CIDR (V(10.20.0.0/22); the network and broadcast addresses are skipped),
        a range (V(10.20.0.10-10.20.3.250), or V(10.20.0.10-250) within one /24), or a single address.
      - An entry may instead be a mapping with C(network) (one of the forms above) and C(vars), variables given
        to every miner found in it, for example its site or rack. These are your values, so they may be
        templates.
      - An address listed by two entries belongs to the first.
      - IPv4 only. One scan covers at most 1,048,576 addresses (a /12); split larger farms into several sources.
    type: list
    elements: raw
    required: true
  exclude:
    description:
      - Addresses never to connect to, in the same forms as O(networks) (a CIDR excludes its whole block).
    type: list
    elements: str
    default: []
  port:
    description:
      - TCP port of the miners' API (API V2).
    type: int
    default: 4028
  v3_port:
    description:
      - TCP port of the miners' API V3 (2024-11+ firmware). Each miner identified on O(port) is asked
        C(get.device.info) there, within O(read_timeout), and its host variable C(whatsminer_api) says which API
        answered (V(v3), else V(v2)), so the modules that use API V3 do not probe again.
      - V(0) skips that question; C(whatsminer_api) is then V(v2) for every miner.
    type: int
    default: 4433
  connect_timeout:
    description:
      - Seconds to wait for an address to accept the connection in the sweep.
      - On a farm LAN a miner accepts within milliseconds; this bounds what an empty address costs. Raise it
        for miners reached over a slow WAN link.
    type: float
    default: 0.5
  read_timeout:
    description:
      - Seconds to wait, during identification, for a host that accepted to connect again and to answer each
        read. A host that stays silent this long is skipped; no read is retried.
    type: float
    default: 3.0
  concurrency:
    description:
      - The most sockets open at once, in the sweep and in identification (which uses at most 64 of them).
      - It is lowered to what the controller's open-file limit allows (the soft limit is raised towards the hard
        limit first when needed), so the scan never runs out of file descriptors.
      - Addresses that refuse cost next to nothing; an address where nothing answers holds its socket for
        O(connect_timeout). A sweep therefore takes at most about (addresses / concurrency) x O(connect_timeout);
        with the defaults, about 1 s for a silent /22 and 64 s for a silent /16.
      - Before raising it for a large flat network the controller sits on, see the scaling notes in the
        collection's README (the kernel's neighbour table limits how many unresolved addresses can be tried at once).
    type: int
    default: 512
  password:
    description:
      - The miners' admin password. Identification uses only commands every firmware answers without a
        password, so it is not needed today; it is passed to the client for firmware that may require it.
      - Never written to host variables, the cache or any output.
    type: str
    env:
      - name: WHATSMINER_PASSWORD
  hostnames:
    description:
      - How to name each host, in order of preference; the first the miner reports (and that is a valid,
        not yet used host name) wins, and the address is the last resort.
      - V(mac) is the MAC address in lowercase with dashes (V(c4-1a-2b-00-00-01)), as colons would split an
        C(--limit) pattern; V(serial) is the miner's serial number (C(minersn)); V(hostname) is the host name the
        miner reports; V(ip) is the address the miner was found at.
      - V(ip) and V(hostname) may change with DHCP; V(mac) and V(serial) do not.
    type: list
    elements: str
    choices:
      - mac
      - serial
      - hostname
      - ip
    default:
      - mac
notes:
  - The scan talks to every address of O(networks) on O(port) only. Use O(exclude) for addresses that must not be
    touched.
  - With caching on, a run reads the cache and sends nothing while it is fresh; C(--flush-cache) scans again.
"""

EXAMPLES = r"""
---
# farm.whatsminer.yml: every miner on two sites, named by MAC, grouped by model, firmware and site.
plugin: hashops.whatsminer.whatsminer
networks:
  - network: 10.20.0.0/22
    vars:
      site: north
  - network: 10.30.0.10-10.30.1.250
    vars:
      site: south
exclude:
  - 10.20.0.1
concurrency: 512
keyed_groups:
  - key: site
    prefix: site
  - key: whatsminer_power_mode
    prefix: power
groups:
  idle: not whatsminer_is_mining
compose:
  rack: whatsminer_hostname | default('', true) | regex_search('^r[0-9]+')

---
# lab.whatsminer.yml (a second file, so a second YAML document): a small scan, cached for an hour, named by serial number, else by address.
plugin: hashops.whatsminer.whatsminer
networks:
  - 192.168.50.0/24
hostnames:
  - serial
  - ip
cache: true
cache_plugin: ansible.builtin.jsonfile
cache_connection: ~/.cache/whatsminer-inventory
cache_timeout: 3600
"""

import re

from ansible.errors import AnsibleParserError
from ansible.plugins.inventory import BaseInventoryPlugin, Cacheable, Constructable
from ansible.template import trust_as_template

from ansible_collections.hashops.whatsminer.plugins.module_utils import _discovery, _targets

CONFIG_SUFFIXES = (".whatsminer.yml", ".whatsminer.yaml")
CONFIG_NAMES = ("whatsminer.yml", "whatsminer.yaml")

# Facts published as whatsminer_<key>, and all the cache keeps of a miner besides its address.
FACT_KEYS = ("model", "firmware_version", "api_version", "platform", "mac", "serial", "hostname",
             "power_mode", "hashrate_ths", "is_mining", "api")

CACHE_FORMAT = 1

_HOST_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,252}$")
_MAC = re.compile(r"^[0-9A-Fa-f]{2}(?:[:-]?[0-9A-Fa-f]{2}){5}$")


class InventoryModule(BaseInventoryPlugin, Constructable, Cacheable):
    NAME = "hashops.whatsminer.whatsminer"

    def verify_file(self, path):
        if not super().verify_file(path):
            return False
        name = path.replace("\\", "/").rsplit("/", 1)[-1]
        if name in CONFIG_NAMES or name.endswith(CONFIG_SUFFIXES):
            return True
        self.display.vvv(f"Skipping {path}: a whatsminer inventory file is named *.whatsminer.yml or *.whatsminer.yaml")
        return False

    def parse(self, inventory, loader, path, cache=True):
        super().parse(inventory, loader, path, cache)
        self._read_config_data(path)
        try:
            targets = _targets.parse(self.get_option("networks"), self.get_option("exclude"))
        except ValueError as err:
            raise AnsibleParserError(f"{path}: {err}") from None
        self._check_numbers(path)

        cache_key = self.get_cache_key(path)
        use_cache = self.get_option("cache")
        miners = None
        if use_cache and cache:
            miners = self._cached_miners(cache_key)
        if miners is None:
            miners = self._scan(path, targets)
            if use_cache:
                self._cache[cache_key] = {"format": CACHE_FORMAT, "miners": miners}
        self._populate(miners, targets)

    def _check_numbers(self, path):
        for option in ("connect_timeout", "read_timeout", "concurrency", "port"):
            if not self.get_option(option) > 0:
                raise AnsibleParserError(f"{path}: '{option}' must be greater than 0")
        if self.get_option("port") > 65535:
            raise AnsibleParserError(f"{path}: 'port' must be 65535 or less")
        if not 0 <= self.get_option("v3_port") <= 65535:
            raise AnsibleParserError(f"{path}: 'v3_port' must be from 0 (no API V3 probe) to 65535")

    def _cached_miners(self, cache_key):
        try:
            cached = self._cache[cache_key]
        except KeyError:
            return None
        if not isinstance(cached, dict) or cached.get("format") != CACHE_FORMAT or not isinstance(cached.get("miners"), list):
            return None
        self.display.v(f"whatsminer inventory: {len(cached['miners'])} miners from the cache, nothing scanned")
        return cached["miners"]

    def _scan(self, path, targets):
        port = self.get_option("port")
        found = _discovery.discover(
            targets,
            port=port,
            connect_timeout=self.get_option("connect_timeout"),
            read_timeout=self.get_option("read_timeout"),
            concurrency=self.get_option("concurrency"),
            password=self.get_option("password"),
            v3_port=self.get_option("v3_port"),
        )
        for skipped in found.skipped:
            self.display.v(f"whatsminer inventory: skipped {skipped.address}: it {skipped.reason}")
        if found.stats["concurrency"] < found.stats["requested_concurrency"]:
            self.display.warning(f"whatsminer inventory {path}: concurrency lowered from {found.stats['requested_concurrency']} "
                                 f"to {found.stats['concurrency']} by the open-file limit (ulimit -n)")
        self.display.v(f"whatsminer inventory {path}: {found.summary()}")
        return [{"address": miner.address, "facts": {key: miner.facts.get(key) for key in FACT_KEYS}}
                for miner in found.miners]

    def _populate(self, miners, targets):
        strict = self.get_option("strict")
        used = set()
        for miner in sorted(miners, key=lambda miner: _sort_key(miner["address"])):
            network = targets.network_of(miner["address"])
            if network is None:
                continue  # cached, but no longer in the configured networks
            host = self._host_name(miner, used)
            used.add(host)
            self.inventory.add_host(host, group=self.inventory.add_group("whatsminer"))
            for name, value in self._host_vars(miner, network).items():
                self.inventory.set_variable(host, name, value)
            self._add_default_groups(host, miner["facts"])
            host_vars = self.inventory.get_host(host).get_vars()
            self._set_composite_vars(self.get_option("compose"), host_vars, host, strict=strict)
            self._add_host_to_composed_groups(self.get_option("groups"), host_vars, host, strict=strict)
            self._add_host_to_keyed_groups(self.get_option("keyed_groups"), host_vars, host, strict=strict)

    @staticmethod
    def _host_vars(miner, network):
        # Our own template, trusted on purpose; everything a miner reports stays a plain, untrusted str.
        host_vars = {
            "ansible_host": miner["address"],
            "ansible_connection": "local",
            "ansible_python_interpreter": trust_as_template("{{ ansible_playbook_python }}"),
        }
        host_vars.update(network.vars)
        for key in FACT_KEYS:
            host_vars[f"whatsminer_{key}"] = miner["facts"].get(key)
        return host_vars

    def _add_default_groups(self, host, facts):
        for prefix, key in (("whatsminer_model_", "model"), ("whatsminer_firmware_", "firmware_version")):
            value = facts.get(key)
            if isinstance(value, str) and value:
                group = self.inventory.add_group(self._sanitize_group_name(prefix + value))
                self.inventory.add_child(group, host)

    def _host_name(self, miner, used):
        for choice in self.get_option("hostnames"):
            name = _candidate_name(choice, miner)
            if name and name not in used:
                return name
            if name:
                self.display.v(f"whatsminer inventory: {miner['address']} reports the {choice} '{name}' of another miner")
        return miner["address"]


def _candidate_name(choice, miner):
    facts = miner["facts"]
    if choice == "ip":
        return miner["address"]
    if choice == "mac":
        mac = facts.get("mac")
        if not isinstance(mac, str) or not _MAC.match(mac.strip()):
            return None
        digits = mac.strip().replace(":", "").replace("-", "").lower()
        return "-".join(digits[i:i + 2] for i in range(0, 12, 2))
    value = facts.get(choice)
    if isinstance(value, str) and _HOST_NAME.match(value):
        return value
    return None


def _sort_key(address):
    try:
        return tuple(int(part) for part in address.split("."))
    except ValueError:
        return (address,)
