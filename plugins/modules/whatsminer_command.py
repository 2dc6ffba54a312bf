# Copyright: (c) 2026, hashops.whatsminer contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: whatsminer_command
short_description: Send any WhatsMiner API command
version_added: 0.1.0
description:
  - Sends one command of the WhatsMiner API V2 (TCP 4028) and returns the miner's reply.
  - Readable commands (C(summary), C(pools), C(edevs), C(devs), C(devdetails), C(get_version), C(get_miner_info),
    C(get_psu), C(status), C(get_error_code), C(get_token), C(get_customer_msg)) and C(+) joins of the btminer
    ones (for example C(summary+pools+edevs)) are sent in plaintext and never change anything.
  - C(get_customer_msg) is sent in plaintext here too, but firmware that wants a token for it answers with an
    error; M(hashops.whatsminer.whatsminer_customer_msg) reads it encrypted.
  - Every other command is a write. It is encrypted with a token signed by the admin password,
    and is not sent in check mode.
  - The miner's reply is repaired for the malformed JSON that real firmware sends before it is returned.
  - This is the escape hatch for commands no other module covers. It cannot tell whether a write would
    change anything, so a write always reports C(changed). Prefer the dedicated, idempotent modules.
author:
  - hashops.whatsminer maintainers (@hashops)
extends_documentation_fragment:
  - hashops.whatsminer._connection
  - hashops.whatsminer._attributes
  - hashops.whatsminer._attributes.ACTIONGROUP_ALL
attributes:
  check_mode:
    support: partial
    details: Readable commands run in check mode; writable commands are not sent and report C(changed=true).
  diff_mode:
    support: none
options:
  command:
    description:
      - The API command, exactly as the miner knows it, for example C(get_version), C(summary+pools) or C(set_led).
      - C(update_firmware) and C(download_logs) stream files and are refused here.
    type: str
    required: true
  params:
    description:
      - "The command's parameters as they go into the request, for example C({param: auto}) for C(set_led)."
      - Values of C(passwd1)..C(passwd3), C(old), C(new), C(password) and C(token) are masked in the result.
    type: dict
    default: {}
seealso:
  - module: hashops.whatsminer.whatsminer_facts
  - module: hashops.whatsminer.whatsminer_pools
  - module: hashops.whatsminer.whatsminer_power
  - module: hashops.whatsminer.whatsminer_net
  - module: hashops.whatsminer.whatsminer_settings
  - module: hashops.whatsminer.whatsminer_led
  - module: hashops.whatsminer.whatsminer_system
  - module: hashops.whatsminer.whatsminer_firmware
  - module: hashops.whatsminer.whatsminer_logs
notes:
  - Real miners often close the connection without answering after C(reboot), C(restart_btminer), C(power_off),
    C(power_on), C(set_low_power), C(set_normal_power), C(set_high_power) and C(net_config), because btminer or
    the system restarts. For these commands only, that is not a failure - but it is no proof either - RV(reply)
    is then null and RV(msg) says that whether the command was carried out is unknown. Read the state back (the
    config modules do this for you).
  - Any other write whose reply is lost, cut off or unreadable fails with a message saying the command was sent
    and may or may not have been applied.
"""

EXAMPLES = r"""
- name: Read the firmware version
  hashops.whatsminer.whatsminer_command:
    command: get_version
  register: version

- name: One joined read of summary, pools and boards
  hashops.whatsminer.whatsminer_command:
    command: summary+pools+edevs

- name: Blink the red LED to find a miner in the rack (a write, so it needs the admin password)
  hashops.whatsminer.whatsminer_command:
    command: set_led
    params:
      color: red
      period: 1000
      duration: 500
      start: 0

- name: Put the LED back to automatic
  hashops.whatsminer.whatsminer_command:
    command: set_led
    params:
      param: auto
"""

RETURN = r"""
command:
  description: The command as sent.
  returned: always
  type: str
  sample: get_version
params:
  description: The parameters as sent, with secret values masked.
  returned: always
  type: dict
  sample: {"param": "auto"}
sent:
  description: Whether the command was sent (false for a write in check mode).
  returned: always
  type: bool
  sample: true
msg:
  description: What happened when that is not plain success (check mode, no reply and what that means).
  returned: when there is something to say
  type: str
  sample: sent; the miner closed the connection without a reply, which is normal for this command, so whether it was carried out is unknown
reply:
  description:
    - The miner's reply, repaired and parsed; decrypted for a write.
    - Null when a write was not sent (check mode), or when the miner closed without answering after a command
      for which that is normal; then it is unknown whether the command was carried out.
  returned: always
  type: dict
  sample: {"STATUS": "S", "When": 1773871985, "Code": 131, "Msg": {"api_ver": "2.0.5", "fw_ver": "20230803.11.REL",
           "platform": "H616"}, "Description": ""}
"""

from ansible_collections.hashops.whatsminer.plugins.module_utils._module import run_module
from ansible_collections.hashops.whatsminer.plugins.module_utils._resources import command


def main():
    run_module(command)


if __name__ == "__main__":
    main()
