"""A simulated WhatsMiner farm: N miners on loopback addresses, port 4028, in one asyncio process.

    python3 tests/simulator/farm.py --miners 20 --network 127.10.0.0/24 --password s3cret \
        --persona api205 --ready-file /tmp/farm.json

See README.md beside this file for every option, the personas and the control API.
"""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import json
import os
import signal
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [HERE, os.path.join(os.path.dirname(os.path.dirname(HERE)), "plugins", "module_utils")]

import _crypto  # noqa: E402
import control  # noqa: E402
import personas  # noqa: E402
import webui  # noqa: E402
import webui_cert  # noqa: E402
import writes  # noqa: E402
from miner import FarmConfig, Miner  # noqa: E402

LOOPBACK = ipaddress.ip_network("127.0.0.0/8")


def parse_args(argv):
    parser = argparse.ArgumentParser(description="Simulated WhatsMiner farm (API V2 on TCP 4028).")
    parser.add_argument("--miners", type=int, required=True, help="number of miners")
    parser.add_argument("--network", required=True, help="a network inside 127.0.0.0/8, e.g. 127.10.0.0/24")
    parser.add_argument("--password", default="admin", help="admin password of every miner (default: admin)")
    parser.add_argument("--persona", default="api205",
                        help="persona name, or name:count,name:count for a mixed farm (default: api205)")
    parser.add_argument("--ready-file", help="where to write the JSON line once every miner listens")
    parser.add_argument("--lifetime", type=float, default=3600.0, help="exit after this many seconds; 0 = never")
    parser.add_argument("--port", type=int, default=4028)
    parser.add_argument("--v3-port", type=int, default=4433,
                        help="API V3 port of personas that have it (v3compat2026); 0 = off")
    parser.add_argument("--web-port", type=port_or_off, default=80,
                        help="web UI port of personas that have it (api205, v3compat2026): 307 to https; 0 or none = off")
    parser.add_argument("--web-tls-port", type=port_or_off, default=443,
                        help="HTTPS port of that web UI (LuCI login page); 0 or none = off")
    parser.add_argument("--restart-seconds", type=float, default=3.0, help="how long a restarting miner is silent")
    parser.add_argument("--upgrade-seconds", type=float, default=None,
                        help="how long the reboot after a firmware upgrade lasts (default: --restart-seconds)")
    parser.add_argument("--control-port", type=int, default=0, help="control API port on 127.0.0.1 (0 = any free)")
    parser.add_argument("--spread", default="1",
                        help="address stride between consecutive miners, or 'auto' to spread them over the network")
    parser.add_argument("--idle-timeout", type=float, default=10.0, help="close a connection silent this long")
    parser.add_argument("--max-tokens", type=int, default=100, help="token table size per miner")
    parser.add_argument("--max-tokens-per-ip", type=int, default=32, help="tokens one client address may hold")
    parser.add_argument("--token-ttl", type=float, default=1800.0, help="token lifetime in seconds")
    parser.add_argument("--reply-mode", default="",
                        help="override reply behaviour, e.g. reboot=reply,power_off=close,set_low_power=delay")
    parser.add_argument("--reply-delay", type=float, default=2.0, help="seconds a 'delay' reply waits")
    args = parser.parse_args(argv)
    try:
        network = ipaddress.ip_network(args.network, strict=False)
    except ValueError as err:
        parser.error(str(err))
    if network.version != 4 or not network.subnet_of(LOOPBACK):
        parser.error("--network must lie inside 127.0.0.0/8; this simulator binds loopback addresses only")
    if args.miners < 1:
        parser.error("--miners must be at least 1")
    args.network = network
    try:
        args.personas = personas.parse_persona_spec(args.persona, args.miners)
        args.addresses = addresses(network, args.miners, args.spread)
        args.reply_modes = reply_modes(args.reply_mode)
    except ValueError as err:
        parser.error(str(err))
    return args


def port_or_off(text: str) -> int:
    if text.strip().lower() in ("0", "none", "off"):
        return 0
    try:
        port = int(text)
    except ValueError:
        port = -1
    if not 0 < port < 65536:
        raise argparse.ArgumentTypeError("%r is not a port number, 0 or none" % text)
    return port


def addresses(network, count: int, spread: str) -> list:
    first = int(network.network_address) + 1
    hosts = network.num_addresses - 2 if network.prefixlen < 31 else network.num_addresses
    if spread == "auto":
        stride = max(1, hosts // count)
    else:
        try:
            stride = int(spread)
        except ValueError:
            raise ValueError("--spread must be a positive integer or 'auto'") from None
        if stride < 1:
            raise ValueError("--spread must be a positive integer or 'auto'")
    if (count - 1) * stride + 1 > hosts:
        raise ValueError("%d miners with spread %d do not fit in %s (%d host addresses)" % (count, stride, network, hosts))
    return [str(ipaddress.IPv4Address(first + i * stride)) for i in range(count)]


def reply_modes(spec: str) -> dict:
    modes = dict(writes.DEFAULT_REPLY_MODES)
    for item in filter(None, (p.strip() for p in spec.split(","))):
        command, _sep, mode = item.partition("=")
        if command not in writes.WRITE_COMMANDS or mode not in writes.REPLY_MODES:
            raise ValueError("bad --reply-mode item %r (command=reply|close|delay)" % item)
        modes[command] = mode
    return modes


class Farm:
    def __init__(self, args) -> None:
        self.config = FarmConfig(
            network=args.network, password=args.password, port=args.port, v3_port=args.v3_port,
            web_port=args.web_port, web_tls_port=args.web_tls_port, restart_seconds=args.restart_seconds,
            upgrade_seconds=args.upgrade_seconds,
            idle_timeout=args.idle_timeout, token_max_total=args.max_tokens, token_max_per_ip=args.max_tokens_per_ip,
            token_ttl=args.token_ttl, reply_delay=args.reply_delay, reply_modes=args.reply_modes,
        )
        self.miners = []
        seen = {}
        for index, (address, persona) in enumerate(zip(args.addresses, args.personas)):
            number = seen.get(persona.name, 0)
            seen[persona.name] = number + 1
            hardware = persona.hardware[number % len(persona.hardware)]
            self.miners.append(Miner(index, address, persona, hardware, self.config))
        for miner in self.miners:
            miner.farm = self
        self.by_address = {m.address: m for m in self.miners}  # where each miner listens now
        self.by_farm_address = dict(self.by_address)  # where the farm put it: never changes

    def miner_at(self, address: str):
        """The miner listening at this address now (a net_config moves miners), else None."""
        return self.by_address.get(address)

    def lookup(self, address: str):
        """Control API: the miner at this address now, else the miner the farm put there (an alias after a move)."""
        return self.by_address.get(address) or self.by_farm_address.get(address)

    def moved(self, miner, old: str) -> None:
        if self.by_address.get(old) is miner:
            del self.by_address[old]
        self.by_address[miner.address] = miner

    def prepare_tls(self) -> None:
        """Make the web UI's certificate; without the means to, port 80 serves the pages over plain HTTP."""
        if self.config.web_tls_port <= 0 or not any(m.persona.web_ui for m in self.miners):
            return
        try:
            webui.tls_context()
        except webui_cert.CertificateUnavailable as err:
            plain = "port %d serves it over plain HTTP" % self.config.web_port if self.config.web_port > 0 else "it is off"
            sys.stderr.write("farm: no HTTPS web UI (%s); %s. For HTTPS: %s -m pip install cryptography\n"
                             % (err, plain, sys.executable))
            self.config.web_tls_port = 0

    async def start(self) -> None:
        self.prepare_tls()
        for miner in self.miners:
            try:
                await miner.sync_listener()
            except webui.PortUnavailable as err:
                await self.web_off(err)
                await miner.sync_listener()

    async def web_off(self, err) -> None:
        """Ports 80/443 need privileges or may be held by a wildcard listener: run without the web UI, and say so."""
        sys.stderr.write("farm: no web UI on ports %d/%d (%s); pyasic will not identify v3compat2026 miners\n" % (
            self.config.web_port, self.config.web_tls_port, err))
        self.config.web_port = self.config.web_tls_port = 0
        for miner in self.miners:
            await miner.sync_listener()

    async def reset(self) -> None:
        # Moved miners let go of their addresses first: one may sit on another's farm address.
        for miner in self.miners:
            await miner.cancel_restart()
            if miner.address != miner.farm_address:
                miner.close_listeners()
        for miner in self.miners:
            miner.reset()
            await miner.sync_listener()
        self.by_address = dict(self.by_farm_address)

    async def stop(self) -> None:
        for miner in self.miners:
            await miner.stop()


def write_ready_file(path: str, line: str) -> None:
    temp = "%s.tmp.%d" % (path, os.getpid())
    with open(temp, "w", encoding="utf-8") as handle:
        handle.write(line + "\n")
    os.replace(temp, path)


def raise_fd_limit() -> None:
    try:
        import resource
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        if soft < hard:
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    except (ImportError, ValueError, OSError):
        pass


async def run(args) -> int:
    personas.load_templates()
    farm = Farm(args)
    ctl = control.ControlServer(farm)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    try:
        await farm.start()
        await ctl.start(args.control_port)
    except OSError as err:
        sys.stderr.write("farm: cannot listen: %s\n" % err)
        await farm.stop()
        ctl.close()
        return 1
    line = json.dumps({"miners": [m.address for m in farm.miners], "control": "http://127.0.0.1:%d" % ctl.port})
    if args.ready_file:
        write_ready_file(args.ready_file, line)
    sys.stdout.write(line + "\n")
    sys.stdout.flush()
    try:
        await asyncio.wait_for(stop.wait(), args.lifetime if args.lifetime > 0 else None)
    except asyncio.TimeoutError:
        pass
    ctl.close()
    await farm.stop()
    if args.ready_file:
        try:
            os.unlink(args.ready_file)
        except OSError:
            pass
    return 0


def missing_dependencies() -> str | None:
    """The sentence to print when the collection's crypto code cannot import its packages, else None."""
    if _crypto.HAS_CRYPTO_LIBS:
        return None
    cause = _crypto.CRYPTO_IMPORT_ERROR.strip().splitlines()[-1]
    requirements = os.path.join(os.path.dirname(os.path.dirname(HERE)), "requirements.txt")
    packages = "-r %s" % requirements if os.path.exists(requirements) else "pycryptodome"
    return ("farm: the simulator needs the collection's controller packages, which this Python (%s) cannot import "
            "(%s). Install them with:\n    %s -m pip install %s\n" % (sys.executable, cause, sys.executable, packages))


def main(argv=None) -> int:
    args = parse_args(argv)
    problem = missing_dependencies()
    if problem:
        sys.stderr.write(problem)
        return 2
    raise_fd_limit()
    return asyncio.run(run(args))


if __name__ == "__main__":
    sys.exit(main())
