"""One simulated miner: its listener on <address>:4028, its state, and what it does with each request."""

from __future__ import annotations

import asyncio
import copy
import ipaddress
import random
import socket
import time
from dataclasses import dataclass, field

import _crypto
import faults as faults_mod
import replies
import state as state_mod
import telemetry
import tokens as tokens_mod
import transfers
import upgrades as upgrades_mod
import v3api
import v3writes
import webui
import wire
import writes
from identity import make_identity

# Commands firmware of that generation does not know: they answer Code 14 like any unknown command.
V205_ONLY = ("set_power_pct_v2", "set_temp_offset", "adjust_power_limit", "adjust_upfreq_speed",
             "set_poweroff_cool", "set_fan_zero_speed")
V22_ONLY = ("set_power", "restore_power_pct", "set_heat_mode", "set_customer_msg", "get_customer_msg")
UNSUPPORTED = {"btminer2021": frozenset(V205_ONLY + V22_ONLY), "api205": frozenset(V22_ONLY), "v3compat2026": frozenset()}
# Where a single scalar "parameter" (pyasic/asic-rs style) goes for commands that take one value.
SCALAR_PARAMETER = {
    "set_target_freq": "percent", "set_power_pct": "percent", "set_power_pct_v2": "percent",
    "adjust_power_limit": "power_limit", "adjust_upfreq_speed": "upfreq_speed", "set_temp_offset": "temp_offset",
    "set_hostname": "hostname", "set_poweroff_cool": "poweroff_cool", "set_fan_zero_speed": "fan_zero_speed",
    "set_power": "power", "set_heat_mode": "mode", "set_led": "param", "net_config": "param",
}
LOOPBACK = ipaddress.ip_network("127.0.0.0/8")
READY_MSG = "ready"
FIRMWARE_DONE_MSG = "Updated"


@dataclass
class FarmConfig:
    network: object
    password: str
    port: int = 4028
    v3_port: int = 4433  # 0: no API V3 listener even for personas that have one
    web_port: int = 80  # web UI ports of personas that have one; 0: off
    web_tls_port: int = 443
    restart_seconds: float = 3.0
    upgrade_seconds: float | None = None  # the reboot after a firmware upgrade; None: restart_seconds
    idle_timeout: float = 10.0
    token_max_total: int = 100
    token_max_per_ip: int = 32
    token_ttl: float = 1800.0
    hang_seconds: float = 600.0
    reply_delay: float = 2.0
    pre_power_on_seconds: float = 2.0
    reply_modes: dict = field(default_factory=lambda: dict(writes.DEFAULT_REPLY_MODES))
    started: float = field(default_factory=time.time)


@dataclass
class View:
    """Everything a reply builder reads, taken once per request so joined replies agree."""
    persona: object
    hardware: object
    identity: object
    settings: object
    reading: object
    now: float
    ntp: tuple = tuple(state_mod.DEFAULT_NTP)


@dataclass
class Request:
    command: object
    params: dict
    encrypted: bool
    key: bytes


class Connection:
    """One accepted socket; applies a malformed/truncate fault to whatever is finally sent."""

    def __init__(self, reader, writer) -> None:
        self.reader = reader
        self.writer = writer
        self.corrupt: str | None = None
        peer = writer.get_extra_info("peername")
        self.peer_ip = peer[0] if peer else "?"

    async def send(self, data: bytes) -> None:
        if self.corrupt == "malformed":
            data = data.replace(b":", b"=", 1).rstrip(b"\0")
        elif self.corrupt == "truncate":
            await wire.send(self.writer, data[:max(1, len(data) // 2)])
            self.writer.transport.close()
            return
        await wire.send(self.writer, data)


class Miner:
    def __init__(self, index: int, address: str, persona, hardware, config: FarmConfig) -> None:
        self.index = index
        self.farm_address = address  # where the farm put it, and what its DHCP lease gives it
        self.address = address  # where it listens now (net_config can move it inside 127.0.0.0/8)
        self.farm = None  # the Farm, set by it: who else holds an address, and its index by address
        self.persona = persona
        self.hardware = hardware
        self.config = config
        self.identity = make_identity(index, hardware)
        self.tokens = tokens_mod.TokenTable(config.token_max_total, config.token_max_per_ip, config.token_ttl)
        self.faults = faults_mod.Faults()
        self.upgrades = upgrades_mod.Upgrades()
        self.writes_log: list = []
        self.server = None
        self.v3_server = None
        self.v3_clients = 0  # open API V3 connections (v3api.MAX_CLIENTS)
        self.web_servers: tuple = ()
        self.restarting = False
        self.restart_kind = None
        self._restart_task = None
        self._connections: set = set()
        self._stale_timers: set = set()
        self.reset()

    # ---- state -------------------------------------------------------------------------------------------

    def reset(self) -> None:
        """Back to how the farm started this miner (control API /reset); the caller rebinds it at farm_address."""
        self.address = self.farm_address
        self.network_error = None  # why the last move to another address failed (control API only)
        self._network_before = None  # network settings before the net_config now restarting, put back if it fails
        self._stale_undo = None  # (changes, credential, delay) a stale fault puts back as the restart ends
        for handle in self._stale_timers:
            handle.cancel()
        self._stale_timers.clear()
        self.settings = state_mod.farm_settings(self.index, self.farm_address, self.config.network, self.hardware,
                                                self.identity)
        password = self.config.password
        if password == tokens_mod.FACTORY_PASSWORD:
            salt = tokens_mod.FACTORY_SALT
        else:
            salt = tokens_mod.random_salt(random.Random("whatsminer-sim/salt/%d" % self.index))
        self.credential = self._credential(password, salt)
        self.tokens.clear()
        self.faults.clear()
        self.upgrades.clear()
        self.writes_log.clear()
        self.reply_modes = {k: (v, self.config.reply_delay) for k, v in self.config.reply_modes.items()}
        self.boot_time = self.config.started - self.identity.up_before_start
        self.btminer_start = self.boot_time + 45

    def factory_reset(self) -> None:
        """Network, password, API switch, pools and power settings back to factory; the firmware stays."""
        firmware = self.settings.firmware_version
        self.settings = state_mod.factory_settings(self.farm_address, self.config.network, self.hardware, self.identity)
        self.settings.firmware_version = firmware
        self.credential = self._credential(tokens_mod.FACTORY_PASSWORD, tokens_mod.FACTORY_SALT)
        self.tokens.clear()

    def set_password(self, password: str) -> None:
        """A new password gets a new salt; every token handed out before is void."""
        self.credential = self._credential(password, tokens_mod.random_salt())
        self.tokens.clear()

    @staticmethod
    def _credential(password: str, salt: str):
        """The V2 credential, with the cleartext the API V3 token check needs (v3api.authorised): real V3
        firmware must keep the password recoverable for that; here it stays in memory, never in the control API."""
        credential = tokens_mod.Credential.from_password(password, salt)
        credential.v3_password = password
        return credential

    @property
    def v3_password(self) -> str:
        return self.credential.v3_password

    def v3_log(self, command: str, param, code, **extra) -> None:
        """A V3 write in the same log as port 4028's, its parameter masked (v3writes.masked)."""
        entry = {"time": round(time.time(), 3), "command": command, "api": "v3",
                 "params": {"param": v3writes.masked(param)} if param is not None else {}, "code": code}
        entry.update(extra)
        self.writes_log.append(entry)

    def restart_clock(self, kind: str) -> None:
        now = time.time()
        if kind == "reboot":
            self.boot_time = now
        if kind in ("reboot", "btminer"):
            self.btminer_start = now

    def view(self) -> View:
        now = time.time()
        quantum = 10000.0 if self.persona.edevs_in_ths else 0.01
        reading = telemetry.read(self.hardware, self.identity, self.settings, max(0.0, now - self.btminer_start),
                                 max(0.0, now - self.boot_time), quantum)
        return View(self.persona, self.hardware, self.identity, self.settings, reading, now)

    def public_state(self) -> dict:
        s = self.settings
        v = self.view()
        return {
            "address": self.address, "farm_address": self.farm_address, "network_error": self.network_error,
            "persona": self.persona.name, "model": self.hardware.model,
            "variant": self.hardware.variant, "firmware_version": s.firmware_version,
            "api_version": self.persona.api_ver, "platform": self.hardware.platform, "mac": self.identity.mac,
            "serial": self.identity.miner_sn, "psu_serial": self.identity.psu_sn, "hostname": s.hostname,
            "network": dict(s.network),
            "pools": [{"url": p.url, "user": p.user, "password_set": bool(p.password)} for p in s.pools],
            "power_mode": s.power_mode, "power_limit_w": s.power_limit_w,
            "power_limit_effective_w": v.reading.power_limit_w, "power_pct": s.power_pct,
            "power_target_w": s.power_target_w, "target_freq_pct": s.target_freq_pct, "mining": s.mining,
            "mineroff_reason": s.mineroff_reason, "fast_boot": s.fast_boot, "web_pools": s.web_pools,
            "led": dict(s.led), "write_api": s.write_api, "upfreq_speed": s.upfreq_speed,
            "temp_offset": s.temp_offset, "poweroff_cool": s.poweroff_cool, "fan_zero_speed": s.fan_zero_speed,
            "heat_mode": s.heat_mode, "btminer_init": s.btminer_init, "timezone": s.timezone,
            "zonename": s.zonename, "rsyslog": s.rsyslog, "customer_msg": dict(s.customer_msg), "time_randomized": dict(s.time_randomized),
            "errors": [{"code": c, "time": t} for c, t in s.errors], "restarting": self.restarting,
            "listening": self.server is not None, "web_listening": bool(self.web_servers),
            "tokens_active": self.tokens.active(v.now),
            "password_salt": self.credential.salt, "hashrate_ths": round(v.reading.mhs_av / 1e6, 3),
            "power_w": v.reading.power_w, "faults": self.faults.as_list(),
            "reply_modes": {k: {"mode": m, "delay": d} for k, (m, d) in sorted(self.reply_modes.items())},
            "last_upgrade": dict(self.upgrades.last) if self.upgrades.last else None,
            "upgrade_outcomes": list(self.upgrades.pending),
        }

    # ---- listener ------------------------------------------------------------------------------------

    async def _listen(self, port: int, handler, **options):
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((self.address, port))
            sock.listen(128)
            sock.setblocking(False)
            return await asyncio.start_server(handler, sock=sock, **options)
        except BaseException:
            sock.close()
            raise

    async def _listen_web(self) -> tuple:
        config = self.config
        servers = []
        try:
            if config.web_port > 0:
                servers.append(await self._listen(config.web_port, self._handle_web, limit=webui.MAX_HEAD_BYTES))
            if config.web_tls_port > 0:
                servers.append(await self._listen(
                    config.web_tls_port, self._handle_web_tls, limit=webui.MAX_HEAD_BYTES, ssl=webui.tls_context(),
                    ssl_handshake_timeout=config.idle_timeout, ssl_shutdown_timeout=config.idle_timeout))
        except OSError as err:
            for server in servers:
                server.close()
            raise webui.PortUnavailable("%s: %s" % (self.address, err)) from err
        return tuple(servers)

    def _web_down(self) -> bool:
        """uhttpd outlives a btminer restart; a reboot or a network restart takes it down."""
        return self.restarting and self.restart_kind != "btminer"

    async def sync_listener(self) -> None:
        """Listen unless restarting or refusing everything; stop listening otherwise (the web UI: see _web_down)."""
        want = not self.restarting and not self.faults.refuses_everything()
        if want and self.server is None:
            self.server = await self._listen(self.config.port, self._handle)
        elif not want and self.server is not None:
            self.server.close()
            self.server = None
        want_v3 = (not self.restarting and self.persona.api_v3 and self.config.v3_port > 0
                   and not self.faults.refuses_everything(api="v3"))
        if want_v3 and self.v3_server is None:
            self.v3_server = await self._listen(self.config.v3_port, self._handle_v3)
        elif not want_v3 and self.v3_server is not None:
            self.v3_server.close()
            self.v3_server = None
        want_web = (self.persona.web_ui and (self.config.web_port > 0 or self.config.web_tls_port > 0)
                    and not self._web_down() and not self.faults.refuses_everything())
        if want_web and not self.web_servers:
            self.web_servers = await self._listen_web()
        elif not want_web and self.web_servers:
            self._close_web()

    def _close_web(self) -> None:
        for server in self.web_servers:
            server.close()
        self.web_servers = ()

    def close_listeners(self) -> None:
        for server in (self.server, self.v3_server):
            if server is not None:
                server.close()
        self.server = self.v3_server = None
        self._close_web()

    def begin_restart(self, kind: str, current=None, network_before: dict | None = None,
                      seconds: float | None = None, forever: bool = False) -> None:
        """network_before: the network settings before the write, put back if the miner cannot move;
        seconds: how long it is away (default --restart-seconds); forever: it does not come back until a reset."""
        self.restarting = True
        self.restart_kind = kind
        self._network_before = network_before
        for server in (self.server, self.v3_server):
            if server is not None:
                server.close()
        self.server = self.v3_server = None
        if self._web_down():
            self._close_web()
        if kind == "reboot":
            self.tokens.clear()
            for writer in list(self._connections):
                if writer is not current:
                    writer.transport.abort()
        away = self.config.restart_seconds if seconds is None else seconds
        self._restart_task = asyncio.get_running_loop().create_task(self._come_back(kind, away, forever))

    async def _come_back(self, kind: str, seconds: float, forever: bool = False) -> None:
        if forever:
            await asyncio.Event().wait()  # until cancel_restart (a farm reset)
        await asyncio.sleep(seconds)
        self.restart_clock(kind)
        self.restarting = False
        if self._stale_undo is not None:
            undo, self._stale_undo = self._stale_undo, None
            self._undo_stale(undo)  # before the network follows: a stale net_config does not move the miner
        if kind in ("network", "reboot"):
            await self._follow_network()
        await self.sync_listener()

    # ---- moving inside 127.0.0.0/8 (net_config) ------------------------------------------------------

    def wanted_address(self) -> str:
        """Where the network settings put the miner once its network is up again.

        DHCP gives the farm address (state.dhcp_lease); a static ip inside 127.0.0.0/8 is taken as it is
        (protocol.md section 7.1: net_config restarts the network, readback get_miner_info.ip). A static ip
        outside 127.0.0.0/8 is only reported: this simulator never binds there, so the miner stays where it is.
        """
        try:
            address = ipaddress.IPv4Address(self.settings.network.get("ip", ""))
        except ValueError:
            return self.address
        return str(address) if address in LOOPBACK else self.address

    def _move_error(self, target: str) -> str | None:
        address = ipaddress.IPv4Address(target)
        if address not in LOOPBACK:
            return "%s is outside 127.0.0.0/8" % target  # never reached through wanted_address; kept as a guard
        if address in (LOOPBACK.network_address, LOOPBACK.broadcast_address):
            return "%s is not a host address" % target
        # Simulator choice (no capture shows a real address conflict): the miner that holds the address keeps it.
        owner = self.farm.miner_at(target) if self.farm is not None else None
        if owner is not None and owner is not self:
            return "%s is in use by the farm's miner %s" % (target, owner.farm_address)
        return None

    async def _follow_network(self) -> None:
        """After a network restart or reboot: listen where the settings say, or stay and say why not.

        Simulator choice: when the move fails (the address is another miner's, or cannot be bound), the miner
        keeps its old address and its old network settings, and network_error in the control API says why.
        """
        network_before, self._network_before = self._network_before, None
        target = self.wanted_address()
        if target == self.address:
            self.network_error = None
            return
        error = self._move_error(target)
        if error is None:
            old = self.address
            self.close_listeners()
            self.address = target
            try:
                await self.sync_listener()
            except (OSError, webui.PortUnavailable) as err:
                self.close_listeners()
                self.address = old
                error = "cannot listen on %s: %s" % (target, err)
            else:
                if self.farm is not None:
                    self.farm.moved(self, old)
        self.network_error = error
        if error is not None and network_before is not None:
            self.settings.network = network_before

    # ---- stale fault -----------------------------------------------------------------------------------

    def _stale_snapshot(self) -> tuple:
        return copy.deepcopy(self.settings), self.credential

    def _stale_after(self, snapshot: tuple, fault, restarting: bool) -> None:
        """Register what a stale write changed: put back as the restart ends, else now or fault.delay s later."""
        settings_before, credential_before = snapshot
        undo = (state_mod.changed_fields(settings_before, self.settings),
                credential_before if credential_before is not self.credential else None, fault.delay)
        if restarting:
            self._stale_undo = undo
        else:
            self._schedule_undo(undo)

    def _schedule_undo(self, undo: tuple) -> None:
        if undo[2] <= 0:
            self._undo_stale(undo)
            return

        def fire():
            self._stale_timers.discard(handle)
            self._undo_stale(undo)
        handle = asyncio.get_running_loop().call_later(undo[2], fire)
        self._stale_timers.add(handle)

    def _undo_stale(self, undo: tuple) -> None:
        changes, credential, _delay = undo
        was_mining = self.settings.mining
        for name, value in changes.items():
            setattr(self.settings, name, copy.deepcopy(value))
        if credential is not None:
            self.credential = credential
            self.tokens.clear()  # tokens were signed with the key of the password that did not stick
        if self.settings.mining and not was_mining:
            # protocol.md 7.1 power_off row: the miner did not stay off, btminer restarted: Elapsed starts again
            self.restart_clock("btminer")

    async def stop(self) -> None:
        if self._restart_task is not None:
            self._restart_task.cancel()
        for handle in self._stale_timers:
            handle.cancel()
        self._stale_timers.clear()
        self.close_listeners()
        for writer in list(self._connections):
            writer.transport.abort()

    async def cancel_restart(self) -> None:
        if self._restart_task is not None and not self._restart_task.done():
            self._restart_task.cancel()
        self.restarting = False

    # ---- one connection ------------------------------------------------------------------------------

    async def _handle(self, reader, writer) -> None:
        self._connections.add(writer)
        conn = Connection(reader, writer)
        try:
            await self._serve(conn)
        except (OSError, asyncio.IncompleteReadError):
            pass
        finally:
            self._connections.discard(writer)
            await wire.close(writer)

    async def _handle_v3(self, reader, writer) -> None:
        self._connections.add(writer)
        try:
            await v3api.serve(self, reader, writer)
        except OSError:
            pass
        finally:
            self._connections.discard(writer)
            await wire.close(writer)

    async def _handle_web(self, reader, writer, tls: bool = False) -> None:
        self._connections.add(writer)
        try:
            await webui.serve(self, reader, writer, tls)
        except OSError:
            pass
        finally:
            self._connections.discard(writer)
            await wire.close(writer)

    async def _handle_web_tls(self, reader, writer) -> None:
        await self._handle_web(reader, writer, tls=True)

    def _flat(self, code: int, msg, status: str = "S") -> dict:
        return replies.flat(self.persona, code, msg, time.time(), status)

    def _error(self, code: int, msg: str | None = None) -> dict:
        return self._flat(code, msg if msg is not None else faults_mod.MESSAGES.get(code, "API command ERROR"), "E")

    @staticmethod
    def _render(reply) -> bytes:
        return reply.text.encode("utf-8") if isinstance(reply, replies.RawReply) else wire.dumps(reply)

    async def _reply(self, conn: Connection, reply, request: Request | None, nul: bool = False) -> None:
        body = self._render(reply)
        if request is not None and request.encrypted:
            await conn.send(wire.dumps({"enc": _crypto.encrypt(request.key, body)}))
        else:
            await conn.send(body + (b"\0" if nul and self.persona.trailing_nul else b""))

    def _log(self, request: Request, code, **extra) -> None:
        entry = {"time": round(time.time(), 3), "command": request.command, "params": writes.masked(request.params),
                 "code": code}
        entry.update(extra)
        self.writes_log.append(entry)

    def _open(self, obj: dict) -> tuple:
        """The request inside the envelope, or the plaintext error that the miner sends instead."""
        key = self.credential.aes_key
        if "enc" in obj:
            data = obj.get("data")
            try:
                if not isinstance(data, str):
                    raise ValueError("no data")
                plain = _crypto.decrypt(key, data)
            except ValueError:
                return None, self._error(137)
            try:
                inner = wire.first_object(plain)
            except ValueError:
                return None, self._error(23)
            encrypted = True
        else:
            inner = obj
            encrypted = False
        command = inner.get("cmd", inner.get("command"))
        params = dict(inner)
        parameter = params.get("parameter")
        if isinstance(parameter, dict):
            for k, v in parameter.items():
                params.setdefault(k, v)
        elif parameter is not None and SCALAR_PARAMETER.get(command) and SCALAR_PARAMETER[command] not in params:
            params[SCALAR_PARAMETER[command]] = parameter
        return Request(command, params, encrypted, key), None

    async def _serve(self, conn: Connection) -> None:
        if self.faults.take_on_connect() is not None:
            wire.reset(conn.writer)
            return
        received = await wire.read_request(conn.reader, self.config.idle_timeout)
        if received.kind in (wire.EMPTY, wire.IDLE):
            return
        if received.kind == wire.NOT_JSON:
            await conn.send(wire.dumps(self._error(23)))
            return
        request, failure = self._open(received.obj)
        if failure is not None:
            await conn.send(wire.dumps(failure))
            return
        command = request.command if isinstance(request.command, str) else None
        is_write = command in writes.WRITE_COMMANDS and command not in UNSUPPORTED[self.persona.name]

        fault = self.faults.take(command)
        if fault is not None:
            if fault.kind == "refuse":
                wire.reset(conn.writer)
                return
            if fault.kind in ("hang", "no_reply"):
                if is_write and request.encrypted:
                    self._log(request, None, fault=fault.kind)
                if fault.kind == "hang":
                    await self._hang(conn.reader)
                return
            if fault.kind == "code":
                if is_write and request.encrypted:
                    self._log(request, fault.code, fault="code")
                plain = fault.code in faults_mod.PLAINTEXT_CODES or not request.encrypted
                await self._reply(conn, self._error(fault.code), None if plain else request)
                return
            conn.corrupt = fault.kind

        if command == "get_token":
            await self._get_token(conn)
            return
        if request.encrypted and not self.tokens.valid(request.params.get("token"), time.time()):
            if is_write:
                self._log(request, 135)
            await self._reply(conn, self._error(135), request)
            return
        if command is None or command in UNSUPPORTED[self.persona.name]:
            await self._reply(conn, self._error(14), request)
        elif "+" in command:
            await self._joined(conn, request, command)
        elif command in replies.READERS:
            reply = replies.READERS[command](self.view())
            await self._reply(conn, reply, request, nul=command in replies.JOINABLE)
        elif is_write:
            await self._write(conn, request, received.rest)
        else:
            await self._reply(conn, self._error(14), request)

    async def _hang(self, reader) -> None:
        async def until_eof():
            while await reader.read(4096):
                pass
        try:
            await asyncio.wait_for(until_eof(), self.config.hang_seconds)
        except (asyncio.TimeoutError, OSError):
            pass

    async def _get_token(self, conn: Connection) -> None:
        now = time.time()
        token = self.tokens.issue(conn.peer_ip, self.credential, now)
        if token is None:
            await conn.send(wire.dumps(self._error(136)))
            return
        msg = {"time": token.time, "salt": self.credential.salt, "newsalt": token.newsalt}
        await conn.send(wire.dumps(self._flat(134, msg)))

    async def _joined(self, conn: Connection, request: Request, command: str) -> None:
        parts = list(dict.fromkeys(command.split("+")))
        if not all(part in replies.JOINABLE for part in parts):
            # the RE note's "45 = command join err": only btminer's own commands can be joined
            await self._reply(conn, self._error(45, "command join err"), request)
            return
        await self._reply(conn, replies.joined(self.view(), parts), request, nul=True)

    async def _write(self, conn: Connection, request: Request, rest: bytes) -> None:
        command = request.command
        if not request.encrypted:
            # a write needs a token, and a token only means something inside the encrypted envelope
            await self._reply(conn, self._error(135), None)
            return
        if not self.settings.write_api:
            self._log(request, 45)
            await self._reply(conn, self._error(45), request)
            return
        stale = self.faults.take(command, stale=True)
        snapshot = self._stale_snapshot() if stale is not None else None
        marks = {"fault": "stale"} if stale is not None else {}
        if command == "update_firmware":
            await self._update_firmware(conn, request, rest, stale, snapshot)
            return
        if command == "download_logs":
            await self._download_logs(conn, request, marks)
            return
        network_before = dict(self.settings.network)
        outcome = writes.execute(self, command, request.params)
        mode, delay = self.reply_modes.get(command, ("reply", 0.0))
        if outcome.code != 131:
            mode = "reply"
        self._log(request, outcome.code, replied=mode != "close", **marks)
        if mode == "delay":
            await asyncio.sleep(delay)
        if mode != "close":
            status = "S" if outcome.code == 131 else "E"
            await self._reply(conn, self._flat(outcome.code, outcome.msg, status), request)
        if stale is not None:
            self._stale_after(snapshot, stale, restarting=bool(outcome.restart))
        if outcome.restart:
            self.begin_restart(outcome.restart, conn.writer, network_before)

    async def _update_firmware(self, conn: Connection, request: Request, rest: bytes, stale=None,
                               snapshot=None) -> None:
        marks = {"fault": "stale"} if stale is not None else {}
        await self._reply(conn, self._flat(131, READY_MSG), request)
        upload = await transfers.receive_firmware(conn.reader, rest, max(self.config.idle_timeout, 10.0))
        request.params.update(upload.log_params())
        if upload.error is not None:
            self._log(request, 132, error=upload.error, **marks)
            await self._reply(conn, self._error(132, "invalid firmware file: %s" % upload.error), request)
            return
        outcome = self.upgrades.accept(self.settings, upload)
        self._log(request, 131, **marks)
        await self._reply(conn, self._flat(131, FIRMWARE_DONE_MSG), request)
        if stale is not None:
            self._stale_after(snapshot, stale, restarting=True)
        seconds = self.config.upgrade_seconds
        self.begin_restart("reboot", conn.writer, seconds=seconds, forever=outcome == "never_back")

    async def _download_logs(self, conn: Connection, request: Request, marks: dict | None = None) -> None:
        data = transfers.log_archive(self.view())
        self._log(request, 131, logfilelen=len(data), **(marks or {}))
        await self._reply(conn, self._flat(131, {"logfilelen": str(len(data))}), request)
        await asyncio.sleep(0.01)
        await wire.send(conn.writer, data)
