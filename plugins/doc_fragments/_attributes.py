# Copyright: (c) 2026, hashops.whatsminer contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# This fragment is private to the collection: it can change or go away without notice.

from __future__ import annotations


class ModuleDocFragment:
    # What --check and --diff do is stated once here; each module only says its support level.
    DOCUMENTATION = r"""
options: {}
attributes:
  check_mode:
    description: Can run in check mode and return a changed status prediction without sending any write command.
  diff_mode:
    description: Will return details on what has changed (or would change in check mode) when in diff mode.
  async:
    description:
      - Cannot run with the C(async) keyword. The module runs as an action plugin in the controller's Ansible
        process, and ansible-core refuses C(async) for an action plugin that does not implement it, so the task
        fails before anything is sent. Use C(forks), C(throttle) and C(strategy) for parallelism instead.
    support: none
  platform:
    description:
      - Runs on the Ansible controller (Python 3.11 or newer with the packages of the collection's requirements.txt) and
        talks to the miner over its TCP API; the miner runs nothing.
    support: full
    platforms: WhatsMiner
"""

    ACTIONGROUP_ALL = r"""
options: {}
attributes:
  action_group:
    description: Use C(group/hashops.whatsminer.all) in C(module_defaults) to set the connection options for every module.
    support: full
    membership:
      - hashops.whatsminer.all
"""

    FACTS = r"""
options: {}
attributes:
  facts:
    description: Action returns an C(ansible_facts) dictionary that will update existing host facts.
    support: full
"""

    IDEMPOTENT = r"""
options: {}
attributes:
  idempotent:
    description:
      - When run twice in a row outside check mode with the same arguments, the second run reports no change.
"""
