# Copyright: (c) 2026, hashops.whatsminer contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: whatsminer_firmware
short_description: Install a firmware image on a WhatsMiner once, and verify it took
version_added: 0.2.0
description:
  - Reads C(get_version) (C(fw_ver) and C(platform)), C(status) and C(summary). A miner that already reports
    O(version) gets nothing, unless O(force=true).
  - Otherwise sends the image with C(update_firmware) - the encrypted command, the miner's C(ready), then a
    4-byte little-endian size and the raw bytes on the same connection - streamed from the file, so memory
    does not grow with the image.
  - A miner worked through API V3 (see O(api); under V(auto) every miner whose API V3 answers) is read through
    C(get.device.info), C(get.miner.status) and C(get.miner.setting), and gets the image as C(set.system.update_firmware)
    on O(v3_port) - the signed request, the miner's C(ready), then the same 4-byte size and raw bytes on the same
    connection, then its final reply - with the same checks, retries and time bounds. RV(api_commands) lists it.
  - A combined image (several control boards' packages behind one 6812-byte header, the layout Tether's
    MiningOS reads) sends only the package whose platform equals the miner's C(get_version) C(platform)
    lower-cased. The package of another control board is never sent - the task fails instead. A file that is
    not a combined image is sent whole.
  - Then waits for the miner to reboot (go away and answer again) and verifies, within O(wait_timeout), that
    it reports the new version and that it mines.
  - Fails, naming the miner and the cause, when the image has no package for the miner's platform, the
    checksum does not match, the miner reports no platform for a combined image, the upload is cut, or the
    miner does not come back in time, comes back with the old version, or comes back not mining. The first
    three send nothing.
  - When the miner never answered C(ready) (refused, silent, or another answer), the upload is tried once
    more, and never more; an upload cut after C(ready) is not retried.
author:
  - hashops.whatsminer maintainers (@hashops)
extends_documentation_fragment:
  - hashops.whatsminer._connection
  - hashops.whatsminer._wait
  - hashops.whatsminer._attributes
  - hashops.whatsminer._attributes.ACTIONGROUP_ALL
  - hashops.whatsminer._attributes.IDEMPOTENT
attributes:
  check_mode:
    support: full
    details: Reads the miner, checks the image and the checksum, and reports RV(previous_version) and RV(version); sends nothing.
  diff_mode:
    support: full
  idempotent:
    support: full
    details: A miner that reports O(version) gets nothing (unless O(force=true)).
options:
  src:
    description:
      - The firmware image, a combined image or a plain one.
      - A path on the controller; when the task runs as a plain module (delegated to a jump host), a path there.
    type: path
    required: true
  version:
    description:
      - The firmware version the image installs, as the miner will report it in C(get_version) C(fw_ver), for
        example V(20250321.14.Rel).
      - Compared exactly with what the miner reports (single quotes of old firmware stripped). Firmware spells
        the suffix V(.Rel) or V(.REL) depending on the release, so a version that differs only in letter case
        fails the task before anything is sent, unless O(force=true).
      - When not set, it is read from the image, where the image names it - only in a first line
        C(WMFW <version>) (for a combined image, the first line of each package, which must agree; or of the
        O(platform) package). That is the simulated farm's image format; a vendor image carries no version known
        to be readable, so set it. An image without that line fails the task before anything is read from the
        miner.
    type: str
  checksum:
    description:
      - C(sha256:) followed by the 64 hexadecimal digits of the SHA-256 of the whole O(src) file.
      - Verified before any byte is sent; a mismatch fails the task and sends nothing.
    type: str
  platform:
    description:
      - The miner's control board platform (for example V(h6os) or V(h616)), for miners that report none in
        C(get_version) (2021 firmware). Needed for a combined image on such miners.
      - When the miner reports a platform, this must match it (letter case aside); another board's package is
        never sent.
    type: str
  force:
    description:
      - Send the image even when the miner already reports O(version), or a version that differs only in
        letter case.
    type: bool
    default: false
  wait:
    description:
      - Wait until the miner has rebooted, answers again, reports the new version and mines.
      - With V(false) the module returns right after the upload with RV(restarted=true), the upgrade not
        verified, and says so in RV(notes).
  wait_timeout:
    description:
      - Seconds to wait for the miner to reboot, answer again, report the new version and mine. A miner that
        is back but reports the old version or does not mine gets up to 30 seconds of it before that fails
        the task.
    type: int
    default: 900
notes:
  - An upgrade cannot be undone by this module. Roll out in waves (the C(hashops.whatsminer.firmware_rollout)
    role) and keep the previous image at hand.
  - The miner's own checks of the image (signature, model) are its own; a refused image answers an error
    and the task fails with it.
seealso:
  - module: hashops.whatsminer.whatsminer_facts
  - module: hashops.whatsminer.whatsminer_logs
"""

EXAMPLES = r"""
- name: Upgrade to 20250321.14.Rel (only the miners not already there)
  hashops.whatsminer.whatsminer_firmware:
    src: /srv/firmware/whatsminer-20250321.14.Rel.bin
    version: 20250321.14.Rel
    checksum: sha256:9f2c4e1b7a0d5c3e8f6a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60
  register: upgrade

- name: See which miners an image would upgrade, and from what
  hashops.whatsminer.whatsminer_firmware:
    src: /srv/firmware/whatsminer-20250321.14.Rel.bin
    version: 20250321.14.Rel
  check_mode: true

- name: A combined image on 2021 firmware, which reports no platform
  hashops.whatsminer.whatsminer_firmware:
    src: /srv/firmware/combined-20250321.14.Rel.bin
    version: 20250321.14.Rel
    platform: h6os
    wait_timeout: 1200
"""

RETURN = r"""
changed:
  description: Whether the image was sent (or, in check mode, would be sent).
  returned: always
  type: bool
  sample: true
previous_version:
  description: The firmware version the miner reported before the task.
  returned: always
  type: str
  sample: 20240624.18.REL
version:
  description:
    - The firmware version the miner reports when the task ends. In check mode, the version it would report.
    - V(null) when the task failed after the image was sent (RV(msg) says what the miner reported).
  returned: always
  type: str
  sample: 20250321.14.Rel
bytes_sent:
  description:
    - Bytes of the image handed to the connection (the package alone for a combined image), not counting the
      4-byte size. 0 in check mode and when nothing was sent.
  returned: always
  type: int
  sample: 48234496
package:
  description: The package of a combined image that was sent (or would be); V(null) for a plain image.
  returned: always
  type: dict
  contains:
    platform:
      description: The platform the package is for.
      type: str
      sample: h616
    offset:
      description: Where the package starts, in bytes from the start of the file.
      type: int
      sample: 6812
    size:
      description: The package's size in bytes.
      type: int
      sample: 48234496
  sample: {"platform": "h616", "offset": 6812, "size": 48234496}
diff:
  description: C(before) is the version the miner reported, C(after) the version asked for.
  returned: always
  type: dict
  sample: {"before": {"version": "20240624.18.REL"}, "after": {"version": "20250321.14.Rel"}}
commands:
  description: The write commands sent, or that would be sent in check mode.
  returned: always
  type: list
  elements: dict
  sample: [{"command": "update_firmware", "params": {}}]
api_commands:
  description:
    - The requests that went out to a miner worked through API V3 (see the O(api) option) - the upload as
      V(set.system.update_firmware) with api V(v3).
    - Absent for a miner worked through API V2, and when nothing was sent.
  returned: when the miner was worked through API V3 and something was sent
  type: list
  elements: dict
  sample: [{"api": "v3", "command": "set.system.update_firmware"}]
restarted:
  description: Whether the miner rebooted (seen while waiting, or expected when O(wait=false)).
  returned: always
  type: bool
  sample: true
unverifiable:
  description: Always empty; a miner that does not report its firmware version fails the task.
  returned: always
  type: list
  elements: str
  sample: []
address:
  description: The address the miner answers at when the task ends.
  returned: always
  type: str
  sample: 192.168.10.21
elapsed_s:
  description: Seconds the task took, the upload and the wait for the reboot included.
  returned: always
  type: float
  sample: 212.4
msg:
  description: In check mode, the upgrade that would be made; on failure, what went wrong.
  returned: in check mode when an upgrade is due, and on failure
  type: str
  sample: "check mode: would upgrade from 20240624.18.REL to 20250321.14.Rel; nothing was sent"
notes:
  description: What the operator should know (not verified because O(wait=false), the upload tried once more).
  returned: when there is something to say
  type: list
  elements: str
  sample: ["update_firmware makes the miner restart; wait is false, so the change was not verified"]
"""

from ansible_collections.hashops.whatsminer.plugins.module_utils._module import run_module
from ansible_collections.hashops.whatsminer.plugins.module_utils._resources import firmware


def main():
    run_module(firmware)


if __name__ == "__main__":
    main()
