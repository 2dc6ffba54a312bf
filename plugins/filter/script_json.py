# Copyright: (c) 2026, hashops.whatsminer contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""script_json: a value as JSON text that is inert inside an HTML <script> element."""

from __future__ import annotations

import json

from ansible.errors import AnsibleFilterError

# <, > and & could end the element (</script>) or open a comment (<!--); U+2028/U+2029 end a line in older JS.
INERT = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"})


def script_json(value) -> str:
    """JSON for ``<script type="application/json">``: ``JSON.parse`` of the element's text gives ``value`` back."""
    try:
        text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise AnsibleFilterError("script_json: the value cannot be written as JSON: %s" % exc) from None
    return text.translate(INERT)


class FilterModule:
    """HTML embedding filters."""

    def filters(self):
        return {"script_json": script_json}
