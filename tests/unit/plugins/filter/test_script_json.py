# Copyright: (c) 2026, hashops.whatsminer contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

import json
import re

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.hashops.whatsminer.plugins.filter.script_json import script_json

HOSTILE = ["</script><img src=x onerror=alert(1)>", "<!-- <script>", "a & b", "]]>", "\u2028\u2029", "</SCRIPT >"]


@pytest.mark.parametrize("value", HOSTILE)
def test_nothing_in_a_value_can_end_the_script_element(value):
    text = script_json({"hostname": value, value: [value]})
    assert not re.search(r"[<>&\u2028\u2029]", text)


@pytest.mark.parametrize("value", HOSTILE + [{"n": 1.5, "none": None, "list": [True, "é"]}])
def test_json_parse_gives_the_value_back(value):
    assert json.loads(script_json(value)) == value


def test_output_is_compact_and_sorted():
    assert script_json({"b": 1, "a": [1, 2]}) == '{"a":[1,2],"b":1}'


@pytest.mark.parametrize("value", [float("nan"), {"x": object()}])
def test_a_value_json_cannot_hold_fails_with_a_sentence(value):
    with pytest.raises(AnsibleFilterError, match="cannot be written as JSON"):
        script_json(value)
