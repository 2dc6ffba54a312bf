"""The farm's control API: HTTP + JSON on 127.0.0.1, for tests to read state and inject faults.

GET    /miners                       [{address, farm_address, persona, model}]
GET    /miners/<addr>                full state (never a password); <addr> is where the miner listens now or
                                     the farm address it started on (so a miner moved by net_config has both)
GET    /miners/<addr>/writes         every write-class command the miner decrypted, in order
POST   /miners/<addr>/fault          {"kind", "code", "commands", "times"}; DELETE clears all faults
POST   /miners/<addr>/write_api      {"enabled": bool}
POST   /miners/<addr>/password       {"password": str}
POST   /miners/<addr>/errors         {"errors": [{"code": int, "time": str}]}
POST   /miners/<addr>/reply_mode     {"command": str, "mode": "reply"|"close"|"delay", "delay": seconds}
POST   /miners/<addr>/upgrade        {"outcome": "old_version"|"not_mining"|"never_back"|"installed", "times": N}:
                                     how the next accepted firmware uploads end (upgrades.py); DELETE clears
POST   /reset                        every miner back to its initial state and farm address, logs and faults cleared
"""

from __future__ import annotations

import asyncio
import json
import re

import faults as faults_mod
import writes
from drift import drift_changes

MAX_BODY = 1024 * 1024
REASONS = {200: "OK", 400: "Bad Request", 404: "Not Found", 405: "Method Not Allowed", 500: "Internal Server Error"}


class HttpError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class ControlServer:
    def __init__(self, farm) -> None:
        self.farm = farm
        self.server = None
        self.port = 0

    async def start(self, port: int) -> None:
        self.server = await asyncio.start_server(self._handle, "127.0.0.1", port)
        self.port = self.server.sockets[0].getsockname()[1]

    def close(self) -> None:
        if self.server is not None:
            self.server.close()

    async def _handle(self, reader, writer) -> None:
        status, payload = 500, {"error": "internal error"}
        try:
            method, path, body = await self._read(reader)
            status, payload = 200, await self.route(method, path, body)
        except HttpError as err:
            status, payload = err.status, {"error": str(err)}
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError, asyncio.TimeoutError):
            writer.close()
            return
        data = json.dumps(payload).encode("utf-8")
        head = "HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\nConnection: close\r\n\r\n" % (
            status, REASONS.get(status, "Error"), len(data))
        try:
            writer.write(head.encode("ascii") + data)
            await writer.drain()
            writer.close()
        except (OSError, RuntimeError):
            pass

    @staticmethod
    async def _read(reader) -> tuple:
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
        lines = head.decode("latin-1").split("\r\n")
        parts = lines[0].split()
        if len(parts) < 2:
            raise HttpError(400, "bad request line")
        length = 0
        for line in lines[1:]:
            name, _sep, value = line.partition(":")
            if name.strip().lower() == "content-length":
                length = int(value.strip() or 0)
        if length > MAX_BODY:
            raise HttpError(400, "body too large")
        body = await asyncio.wait_for(reader.readexactly(length), 10) if length else b""
        return parts[0].upper(), parts[1].split("?", 1)[0], body

    @staticmethod
    def _json(body: bytes) -> dict:
        if not body:
            return {}
        try:
            obj = json.loads(body)
        except ValueError:
            raise HttpError(400, "body is not JSON") from None
        if not isinstance(obj, dict):
            raise HttpError(400, "body must be a JSON object")
        return obj

    async def route(self, method: str, path: str, body: bytes):
        if path == "/miners" and method == "GET":
            return [{"address": m.address, "farm_address": m.farm_address, "persona": m.persona.name,
                     "model": m.hardware.model} for m in self.farm.miners]
        if path == "/reset" and method == "POST":
            await self.farm.reset()
            return {"reset": len(self.farm.miners)}
        match = re.match(r"^/miners/([0-9.]+)(/[a-z_]+)?$", path)
        if not match:
            raise HttpError(404, "no such path: %s" % path)
        miner = self.farm.lookup(match.group(1))
        if miner is None:
            raise HttpError(404, "no miner at %s" % match.group(1))
        action = match.group(2) or ""
        handler = getattr(self, "_%s_%s" % (method.lower(), action.strip("/") or "state"), None)
        if handler is None:
            known = ("", "/writes", "/fault", "/write_api", "/password", "/errors", "/reply_mode", "/upgrade",
                     "/settings")
            raise HttpError(405 if action in known else 404, "%s %s is not supported" % (method, path))
        result = handler(miner, self._json(body))
        if asyncio.iscoroutine(result):
            result = await result
        return result

    @staticmethod
    def _get_state(miner, body):
        return miner.public_state()

    @staticmethod
    def _get_writes(miner, body):
        return list(miner.writes_log)

    @staticmethod
    async def _post_fault(miner, body):
        try:
            fault = faults_mod.parse(body)
        except ValueError as err:
            raise HttpError(400, str(err)) from None
        miner.faults.add(fault)
        await miner.sync_listener()
        return {"faults": miner.faults.as_list()}

    @staticmethod
    async def _delete_fault(miner, body):
        miner.faults.clear()
        await miner.sync_listener()
        return {"faults": []}

    @staticmethod
    def _post_write_api(miner, body):
        enabled = body.get("enabled")
        if not isinstance(enabled, bool):
            raise HttpError(400, "enabled must be true or false")
        miner.settings.write_api = enabled
        return {"write_api": enabled}

    @staticmethod
    def _post_password(miner, body):
        password = body.get("password")
        if not isinstance(password, str) or not writes.PASSWORD.match(password):
            raise HttpError(400, "password must be 1 to 8 letters, digits or underscores")
        miner.set_password(password)
        return {"password_salt": miner.credential.salt}

    @staticmethod
    def _post_settings(miner, body):
        """Drift made outside the API (the web UI, a technician, another tool): it changes what the miner
        holds and reports, and is not a write, so the write log does not show it. The hostname takes any
        printable text, as a hostile or broken miner could report, so tests can prove it stays data."""
        try:
            changes = drift_changes(body)
        except ValueError as err:
            raise HttpError(400, str(err)) from None
        for name, value in changes.items():
            setattr(miner.settings, name, value)
        return miner.public_state()

    @staticmethod
    def _post_errors(miner, body):
        errors = body.get("errors")
        if not isinstance(errors, list):
            raise HttpError(400, "errors must be a list of {code, time}")
        parsed = []
        for item in errors:
            if not isinstance(item, dict) or isinstance(item.get("code"), bool) or not isinstance(item.get("code"), int):
                raise HttpError(400, "each error needs an integer code")
            parsed.append((item["code"], str(item.get("time", "2024-01-01 00:00:00"))))
        miner.settings.errors = parsed
        return {"errors": len(parsed)}

    @staticmethod
    def _post_upgrade(miner, body):
        times = body.get("times", 1)
        if isinstance(times, bool) or not isinstance(times, int) or times < 1:
            raise HttpError(400, "times must be a positive integer")
        try:
            miner.upgrades.plan(body.get("outcome"), times)
        except ValueError as err:
            raise HttpError(400, str(err)) from None
        return {"upgrade_outcomes": list(miner.upgrades.pending)}

    @staticmethod
    def _delete_upgrade(miner, body):
        miner.upgrades.pending.clear()
        return {"upgrade_outcomes": []}

    @staticmethod
    def _post_reply_mode(miner, body):
        command = body.get("command")
        mode = body.get("mode")
        if command not in writes.WRITE_COMMANDS or mode not in writes.REPLY_MODES:
            raise HttpError(400, "command must be a write command and mode one of %s" % ", ".join(writes.REPLY_MODES))
        delay = body.get("delay", miner.config.reply_delay)
        if isinstance(delay, bool) or not isinstance(delay, (int, float)) or delay < 0:
            raise HttpError(400, "delay must be a number of seconds")
        miner.reply_modes[command] = (mode, float(delay))
        return {"command": command, "mode": mode, "delay": float(delay)}
