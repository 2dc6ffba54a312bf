# Copyright: (c) 2026, hashops.whatsminer contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# This module is private to the collection: it can change or go away without notice.
"""whatsminer_firmware: install a firmware image once, and prove it took (the new version, mining).

Options: ``src`` (the image file), ``version`` (what it installs; else read from the image's
``WMFW <version>`` first line, see _firmware_image), ``checksum`` (``sha256:<hex>`` of ``src``),
``platform`` (for a miner that reports none), ``force``, ``wait``, ``wait_timeout``.

Reads ``get_version`` (``fw_ver`` and ``platform``), ``status`` and ``summary`` (mining, and btminer's
run time for the waiter). The version is compared as the facts report it (single quotes stripped),
exactly: protocol.md 10.2 records both ``.Rel`` and ``.REL`` spellings, for different releases, never one
release reported both ways, so a version that differs only in letter case is refused, not taken as equal.

Writes ``update_firmware`` (protocol.md 8) through the client's streamed upload: the whole file for a
plain image, only the miner's package for a combined one (picked by its platform, never another
board's). Through the V3 facade the reads are V3's and the upload is ``set.system.update_firmware``
(docs/protocol_v3.md, "Firmware upload"), with the same contract. The checksum is verified, and the package chosen, before anything is sent; check mode sends
nothing. When the miner never said ``ready`` the upload is tried once more, and never otherwise.

Verifies, with the shared waiter (a reboot: the miner goes away and comes back): the new version, and
that the miner mines (``is_mining``), within ``wait_timeout``.
"""

from __future__ import annotations

import time

from ansible_collections.hashops.whatsminer.plugins.module_utils import _firmware_image as image_file
from ansible_collections.hashops.whatsminer.plugins.module_utils._converge import (
    WAIT_SPEC,
    InvalidOption,
    Step,
    converge,
    known,
    read,
)
from ansible_collections.hashops.whatsminer.plugins.module_utils._errors import (
    ConnectionFailed,
    MinerTimeout,
    ProtocolError,
    UsageError,
)

COMMAND = "update_firmware"
ARGUMENT_SPEC = dict(WAIT_SPEC, **{
    "src": {"type": "path", "required": True},
    "version": {"type": "str"},
    "checksum": {"type": "str"},
    "platform": {"type": "str"},
    "force": {"type": "bool", "default": False},
    "wait_timeout": {"type": "int", "default": 900},
})

READS = ("summary", "status", "get_version")
SUBSETS = ("identity", "mining")
# Once back, how long the miner may report the old version or not mine before that is a failure.
SETTLE_S = 30.0
# The pause before the one retry of an upload the miner never said "ready" to.
RETRY_PAUSE_S = 2.0
NOTHING_SENT = "nothing was sent"


class Upgrade:
    """One task's upgrade: the image (opened once, so what is hashed is what is sent) and what was sent."""

    READS = READS
    SUBSETS = SUBSETS

    def __init__(self):
        self.host = ""
        self.src = ""
        self.stream = None
        self.image = None
        self.package = None
        self.slice = None
        self.want = None
        self.before = None
        self.previous = None
        self.notes: list = []

    def close(self) -> None:
        if self.stream is not None:
            self.stream.close()

    # ---- what the task asks ---------------------------------------------------------------------
    def desired(self, params: dict, host: str) -> dict:
        self.host, self.src = host, params["src"]
        if params["checksum"] is not None:
            try:
                image_file.parse_checksum(params["checksum"])
            except ValueError as err:
                raise InvalidOption(host, "checksum", f"{err}, got {params['checksum']!r}") from None
        try:
            self.stream = open(self.src, "rb")  # pylint: disable=consider-using-with
            self.image = image_file.inspect(self.stream)
        except OSError as err:
            raise InvalidOption(host, "src", f"cannot read {self.src}: {err.strerror or err}") from None
        version = params["version"]
        if version is not None:
            version = version.strip()
            if not version or any(char.isspace() for char in version):
                raise InvalidOption(host, "version", f"must be a firmware version such as 20250321.14.Rel, got "
                                                     f"{params['version']!r}")
        else:
            version = self._version_in_image(params)
        self.want = version
        return {"version": version}

    def _version_in_image(self, params: dict) -> str:
        unknown = (f"cannot tell which version {self.src} installs: set version (an image names its version only "
                   "in a first line 'WMFW <version>'")
        if not self.image.combined:
            found = image_file.read_version(self.stream)
            if found is None:
                raise InvalidOption(self.host, "version", f"{unknown}, and this one has none)")
            return found
        packages = self.image.packages
        if params["platform"]:
            chosen = image_file.package_for(self.image, params["platform"])
            packages = (chosen,) if chosen is not None else packages
        versions = {package.platform: image_file.read_version(self.stream, package.offset, package.size)
                    for package in packages}
        named = set(versions.values())
        if len(named) == 1 and None not in named:
            return named.pop()
        listed = ", ".join(f"{platform}: {found or 'none'}" for platform, found in versions.items())
        raise InvalidOption(self.host, "version", f"{unknown} of each package; the packages of this combined image "
                                                  f"name {listed})")

    # ---- what the miner reports ------------------------------------------------------------------
    def read(self, client, params: dict):  # pylint: disable=unused-argument
        reading = read(client, READS, SUBSETS)
        if self.before is None:
            self.before = reading
        return reading

    @staticmethod
    def current(reading, want: dict) -> dict:  # pylint: disable=unused-argument
        return known(version=reading.state.get("firmware_version"))

    # ---- what to send ----------------------------------------------------------------------------
    def plan(self, want: dict, have: dict, differ: list, params: dict) -> list:
        if "version" not in have:
            raise UsageError(self.host, COMMAND, "the miner does not report its firmware version (get_version "
                                                 "fw_ver, status, summary), so whether it needs this image cannot be "
                                                 f"told, nor the upgrade verified; {NOTHING_SENT}")
        self.previous = have["version"]
        if "version" not in differ and not params["force"]:
            return []
        if have["version"].lower() == want["version"].lower() and "version" in differ and not params["force"]:
            raise UsageError(self.host, COMMAND, f"the miner reports {have['version']}, which differs from version "
                                                 f"{want['version']} only in letter case; firmware spells the suffix "
                                                 "'.Rel' or '.REL' per release, so this is not taken as the same "
                                                 "version: set version exactly as the miner reports it, or force "
                                                 f"to install the image anyway; {NOTHING_SENT}")
        self.package = self._package(params)
        self._verify_checksum(params)
        offset, size = (self.package.offset, self.package.size) if self.package else (0, self.image.size)
        if size == 0:
            raise UsageError(self.host, COMMAND, f"{self.src} is empty; {NOTHING_SENT}")
        self.slice = image_file.Slice(self.stream, offset, size)
        return [Step(COMMAND, {}, ("version",), restarts="reboot", settle_s=SETTLE_S, send=self._upload,
                     after=self._after)]

    def _package(self, params: dict):
        """The package of a combined image for this miner's platform; None for a plain image (sent whole)."""
        reported = self.before.state.get("platform") if self.before is not None else None
        given = params["platform"]
        if given and reported and given.lower() != reported.lower():
            raise UsageError(self.host, COMMAND, f"the miner reports platform {reported}, but platform {given} was "
                                                 "given: the package of another control board is never sent; "
                                                 f"leave platform unset for miners that report one; {NOTHING_SENT}")
        if not self.image.combined:
            return None
        platforms = ", ".join(self.image.platforms())
        platform = given or reported
        if not platform:
            raise UsageError(self.host, COMMAND, f"{self.src} is a combined image (packages for {platforms}) and "
                                                 "the miner reports no platform (get_version has none on 2021 "
                                                 "firmware): set the platform option to its control board; "
                                                 f"{NOTHING_SENT}")
        package = image_file.package_for(self.image, platform)
        if package is None:
            raise UsageError(self.host, COMMAND, f"{self.src} has no package for platform {platform.lower()} (it "
                                                 f"holds packages for {platforms}): this image is not for this "
                                                 f"control board; {NOTHING_SENT}")
        damage = image_file.damage(self.image, package)
        if damage:
            raise UsageError(self.host, COMMAND, f"{self.src} is damaged: {damage}; {NOTHING_SENT}")
        return package

    def _verify_checksum(self, params: dict) -> None:
        if params["checksum"] is None:
            return
        expected = image_file.parse_checksum(params["checksum"])
        actual = image_file.sha256_of(self.stream)
        if actual != expected:
            raise UsageError(self.host, COMMAND, f"the checksum of {self.src} does not match: its sha256 is {actual}, "
                                                 f"checksum says {expected}; {NOTHING_SENT}")

    def _upload(self, client):
        """The streamed upload; tried once more only when the miner never said "ready" (no image byte left)."""
        for attempt in (1, 2):
            self.slice.seek(0)
            handed = self.slice.handed
            try:
                return client.upload_firmware(self.slice)
            except (ConnectionFailed, MinerTimeout, ProtocolError) as err:
                if attempt == 2 or self.slice.handed != handed:
                    raise
                self.notes.append(f"{COMMAND}: the first attempt ended before the miner said ready ({err.cause}); "
                                  "it was tried once more")
                time.sleep(RETRY_PAUSE_S)
        raise AssertionError("unreachable")

    def _after(self, reading) -> list:
        """What must hold besides the version once the miner is back: it mines."""
        wrong = []
        version = reading.state.get("firmware_version")
        if version is not None and version != self.want:
            if version == self.previous:
                wrong.append("it still reports the version it had before the upgrade: the image did not take")
            elif version.lower() == self.want.lower():
                wrong.append("that differs from version only in letter case: set version exactly as the miner "
                             "reports it")
        mining = reading.state.get("is_mining")
        if mining is False:
            wrong.append("it is not mining (btminer reports that it is off)")
        elif mining is None:
            wrong.append("it does not report whether it is mining")
        return wrong

    # ---- the result ------------------------------------------------------------------------------
    def outcome(self, result: dict, check: bool) -> dict:
        sent = bool(result.get("changed")) and not check
        if check and result.get("changed"):
            version = self.want
        elif sent and result.get("failed"):
            version = None  # the miner's state after a failed upgrade is in msg, not guessed here
        elif sent:
            version = self._last_version
        else:
            version = self.previous
        return {
            "previous_version": self.previous,
            "version": version,
            "bytes_sent": self.slice.handed if self.slice is not None and not check else 0,
            "package": self.package.result() if self.package is not None else None,
        }

    _last_version = None

    def report(self, reading) -> dict:
        self._last_version = reading.state.get("firmware_version")
        return {}


def run(client, params: dict, check: bool, diff: bool) -> dict:  # pylint: disable=unused-argument
    upgrade = Upgrade()
    try:
        result = converge(client, params, check, upgrade)
    finally:
        upgrade.close()
    result.update(upgrade.outcome(result, check))
    if check and result["changed"]:
        result["msg"] = f"check mode: would upgrade from {upgrade.previous} to {upgrade.want}; {NOTHING_SENT}"
    if upgrade.notes:
        result["notes"] = result.get("notes", []) + upgrade.notes
    return result
