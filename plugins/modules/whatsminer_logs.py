# Copyright: (c) 2026, hashops.whatsminer contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: whatsminer_logs
short_description: Download a WhatsMiner's log archive to a file
version_added: 0.2.0
description:
  - Sends the encrypted C(download_logs) command; the miner answers with the archive's length (C(logfilelen)),
    then sends the archive itself, a gzip tarball of its logs, on the same connection.
  - The archive is streamed into a temporary file in the destination's directory, checked against the length
    the miner announced and on disk, synced, and only then given its final name, so no half file ever carries
    that name. A failed download leaves nothing behind.
  - Every run that downloads writes a new file (RV(changed=true)); a miner's logs change all the time.
  - Needs the admin password, as C(download_logs) is an encrypted command.
  - On a miner with API V3 (O(api=auto) finds it, or O(api=v3)) the archive comes through V3
    C(get.log.download) (the length as C(logsize)) instead; RV(api_commands) says so. The password is still
    required, so that a task behaves the same on either API.
author:
  - hashops.whatsminer maintainers (@hashops)
extends_documentation_fragment:
  - hashops.whatsminer._connection
  - hashops.whatsminer._attributes
  - hashops.whatsminer._attributes.ACTIONGROUP_ALL
attributes:
  check_mode:
    support: full
    details: Reports the path it would write; sends nothing to the miner and writes nothing.
  diff_mode:
    support: none
options:
  dest:
    description:
      - Where to save the archive.
      - An existing directory gets a new file C(<prefix>-<UTC time as YYYYMMDDTHHMMSSZ>.tgz); when that name is
        taken, C(-2), C(-3), ... is added before C(.tgz), so an existing file is never replaced.
      - Any other path is the file itself, replaced (atomically) if it exists; its directory must exist.
      - A path on the controller; when the task runs as a plain module (delegated to a jump host), a path there.
      - The file is created with mode C(0600).
    type: path
    required: true
  prefix:
    description:
      - The start of the file name when O(dest) is a directory; characters other than letters, digits, C(.),
        C(_) and C(-) become C(_).
      - Defaults to the host's inventory name (O(host) when the module runs as a plain module).
    type: str
seealso:
  - module: hashops.whatsminer.whatsminer_firmware
  - module: hashops.whatsminer.whatsminer_facts
"""

EXAMPLES = r"""
- name: Collect every miner's logs into one folder on the controller
  hashops.whatsminer.whatsminer_logs:
    dest: /var/log/farm/miners/
  register: logs

- name: Keep one file per miner, replaced each time
  hashops.whatsminer.whatsminer_logs:
    dest: "/var/log/farm/miners/{{ inventory_hostname }}-latest.tgz"
"""

RETURN = r"""
changed:
  description: Whether a file was written (in check mode, whether one would be).
  returned: always
  type: bool
  sample: true
path:
  description: The file written; in check mode, the file that would be written.
  returned: always
  type: str
  sample: /var/log/farm/miners/miner01-20260301T021500Z.tgz
bytes:
  description: The archive's size in bytes; V(null) in check mode.
  returned: always
  type: int
  sample: 18422
sha256:
  description: The SHA-256 of the file written, in hexadecimal; V(null) in check mode.
  returned: always
  type: str
  sample: 3a7bd3e2360a3d29eea436fcfb7e44c735d117c42d1c1835420b6b9942dd4f1b
elapsed_s:
  description: Seconds the task took.
  returned: always
  type: float
  sample: 0.4
msg:
  description: In check mode, that nothing was downloaded; on failure, what went wrong.
  returned: in check mode and on failure
  type: str
  sample: "check mode: nothing was downloaded or written"
api_commands:
  description:
    - The requests that went out to a miner worked through API V3 (see the O(api) option), in order, each
      with the API that carried it - V(v3) for what has a V3 command, V(v2) (port 4028) for the rest.
    - Absent for a miner worked through API V2, and when nothing was sent.
  returned: when the miner was worked through API V3 and something was sent
  type: list
  elements: dict
  sample: [{"api": "v3", "command": "get.log.download"}]
"""

from ansible_collections.hashops.whatsminer.plugins.module_utils._module import run_module
from ansible_collections.hashops.whatsminer.plugins.module_utils._resources import logs


def main():
    run_module(logs)


if __name__ == "__main__":
    main()
