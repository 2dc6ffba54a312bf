# Copyright: (c) 2026, hashops.whatsminer contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# This module is private to the collection: it can change or go away without notice.
"""The addresses a discovery scan covers: networks, ranges and single addresses, minus exclusions.

Pure functions, no I/O. IPv4 only (miners have no IPv6 API). Addresses are kept as integer
intervals, so a /16 costs a few tuples, not 65,534 strings, until the sweep walks it.

Accepted forms, for ``networks`` and ``exclude`` alike:

- a CIDR, ``10.20.0.0/22``; host bits may be set. In ``networks`` the network and broadcast
  addresses are left out (prefixes up to /30); in ``exclude`` the whole block is excluded;
- a range, ``10.20.0.10-10.20.3.250``, or with the last octet alone, ``10.20.0.10-250``;
- a single address, ``10.20.0.7``.

An address listed by two ``networks`` entries belongs to the first, and gets that entry's vars.
"""

from __future__ import annotations

import bisect
import ipaddress
import socket
import struct
from collections.abc import Mapping

MAX_ADDRESSES = 1 << 20  # a /12: anything larger is almost surely a typo (a /8 is 16.7 million)


class Network:
    """One ``networks`` entry: what the user wrote, its vars, and the intervals it still owns."""

    def __init__(self, index: int, text: str, host_vars: dict, intervals: list):
        self.index = index
        self.text = text
        self.vars = host_vars
        self.intervals = intervals

    def __repr__(self):
        return f"Network({self.text!r}, {len(self)} addresses)"

    def __len__(self):
        return sum(last - first + 1 for first, last in self.intervals)


class Targets:
    """All addresses to scan, in the order the entries list them."""

    def __init__(self, networks: list):
        self.networks = networks
        self._starts = []
        self._spans = []
        for network in networks:
            for first, last in network.intervals:
                self._spans.append((first, last, network))
        self._spans.sort(key=lambda span: span[0])
        self._starts = [span[0] for span in self._spans]

    def __len__(self):
        return sum(len(network) for network in self.networks)

    def __iter__(self):
        pack = struct.Struct("!I").pack
        for network in self.networks:
            for first, last in network.intervals:
                for number in range(first, last + 1):
                    yield socket.inet_ntoa(pack(number))

    def network_of(self, address: str) -> Network | None:
        """The entry ``address`` belongs to, or None when the scan does not cover it."""
        try:
            number = int(ipaddress.IPv4Address(address))
        except ValueError:
            return None
        position = bisect.bisect_right(self._starts, number) - 1
        if position >= 0:
            first, last, network = self._spans[position]
            if first <= number <= last:
                return network
        return None


def parse(networks, exclude=None, limit: int = MAX_ADDRESSES) -> Targets:
    """Targets for the ``networks`` and ``exclude`` options; ValueError with a readable message."""
    if not networks:
        raise ValueError("'networks' is empty: list at least one CIDR, range or address to scan")
    if isinstance(networks, (str, Mapping)):
        networks = [networks]
    if isinstance(exclude, str):
        exclude = [exclude]
    cuts = _merge([_interval(text, "exclude", whole_block=True) for text in exclude or ()])
    taken: list = []
    parsed = []
    for index, entry in enumerate(networks):
        text, host_vars = _entry(entry, index)
        own = _subtract([_interval(text, "networks", whole_block=False)], cuts)
        own = _subtract(own, taken)
        taken = _merge(taken + own)
        parsed.append(Network(index, text, host_vars, own))
    targets = Targets(parsed)
    if len(targets) > limit:
        raise ValueError(f"the networks cover {len(targets)} addresses, more than the {limit} one scan allows; "
                         "split the farm into several inventory sources or narrow the networks")
    return targets


def _entry(entry, index: int) -> tuple:
    if isinstance(entry, str):
        return entry.strip(), {}
    if isinstance(entry, Mapping):
        unknown = set(entry) - {"network", "vars"}
        if unknown:
            raise ValueError(f"networks entry {index + 1}: unknown key(s) {', '.join(sorted(map(str, unknown)))}; "
                             "an entry is a string or has 'network' and optional 'vars'")
        text = entry.get("network")
        host_vars = entry.get("vars") or {}
        if not isinstance(text, str) or not text.strip():
            raise ValueError(f"networks entry {index + 1} has no 'network' (a CIDR, range or address)")
        if not isinstance(host_vars, Mapping):
            raise ValueError(f"networks entry {index + 1} ({text}): 'vars' must be a mapping of variable names to values")
        return text.strip(), dict(host_vars)
    raise ValueError(f"networks entry {index + 1} is neither a string nor a mapping with 'network' and 'vars'")


def _interval(text: str, option: str, whole_block: bool) -> tuple:
    text = str(text).strip()
    try:
        if "/" in text:
            block = ipaddress.ip_network(text, strict=False)
            _require_v4(block.version, text, option)
            first, last = int(block.network_address), int(block.broadcast_address)
            if not whole_block and block.prefixlen <= 30:
                first, last = first + 1, last - 1
            return first, last
        if "-" in text:
            start, _sep, end = (part.strip() for part in text.partition("-"))
            first_address = ipaddress.ip_address(start)
            _require_v4(first_address.version, text, option)
            if end.isdigit() and int(end) <= 255:
                end = start.rsplit(".", 1)[0] + "." + end
            first, last = int(first_address), int(ipaddress.IPv4Address(end))
            if last < first:
                raise ValueError("the range ends before it starts")
            return first, last
        address = ipaddress.ip_address(text)
        _require_v4(address.version, text, option)
        return int(address), int(address)
    except ValueError as err:
        raise ValueError(f"{option}: '{text}' is not a CIDR (10.0.0.0/22), a range (10.0.0.10-10.0.3.250) "
                         f"or an IPv4 address ({err})") from None


def _require_v4(version: int, text: str, option: str) -> None:
    if version != 4:
        raise ValueError(f"{option}: '{text}' is IPv6; WhatsMiner APIs listen on IPv4 only")


def _merge(intervals: list) -> list:
    merged: list = []
    for first, last in sorted(intervals):
        if merged and first <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], last))
        else:
            merged.append((first, last))
    return merged


def _subtract(intervals: list, cuts: list) -> list:
    """``intervals`` without any address in ``cuts`` (both lists of inclusive integer pairs)."""
    result = []
    for first, last in intervals:
        start = first
        for cut_first, cut_last in cuts:
            if cut_last < start or cut_first > last:
                continue
            if cut_first > start:
                result.append((start, cut_first - 1))
            start = max(start, cut_last + 1)
            if start > last:
                break
        if start <= last:
            result.append((start, last))
    return result
