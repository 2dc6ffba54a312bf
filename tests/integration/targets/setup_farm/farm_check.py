"""What the targets' check scripts share: the farm's control API, a memory between their steps, and failing
with a sentence that names the target. A check script next to setup_farm imports it with

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "setup_farm"))
    from farm_check import FarmCheck
"""

from __future__ import annotations

import json
import sys
import urllib.request
from pathlib import Path


class FarmCheck:
    """``hosts`` maps inventory names to miner addresses; ``work`` is the target's folder (check.json in it)."""

    def __init__(self, target: str, work: Path, control: str, hosts: dict) -> None:
        self.target = target
        self.control = control
        self.hosts = hosts
        self.memory = work / "check.json"

    def api(self, path: str, method: str = "GET", body=None):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.control + path, data=data, method=method,
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as response:
            text = response.read()
        return json.loads(text) if text else None

    def miner(self, host: str) -> dict:
        return self.api(f"/miners/{self.hosts[host]}")

    def writes(self, host: str) -> list:
        return self.api(f"/miners/{self.hosts[host]}/writes")

    def remember(self, **values) -> None:
        memory = json.loads(self.memory.read_text()) if self.memory.exists() else {}
        memory.update(values)
        self.memory.write_text(json.dumps(memory))

    def recall(self, name: str):
        return json.loads(self.memory.read_text())[name]

    def fail(self, text: str) -> None:
        print(f"FAIL: {self.target}: {text}", file=sys.stderr)
        sys.exit(1)

    def expect(self, condition: bool, text: str) -> None:
        if not condition:
            self.fail(text)
