# Copyright: (c) 2026, hashops.whatsminer contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""without_secrets masks a secret wherever it is, as remove_values does, and skips the walk only when none is there."""

from __future__ import annotations

import pytest

from ansible.module_utils.common.parameters import remove_values

from ansible_collections.hashops.whatsminer.plugins.plugin_utils._result_secrets import without_secrets

SECRETS = ['pa"ss\\wörd', "s3cret-42"]


@pytest.mark.parametrize("result", [
    {"msg": 'miner b1: token refused for pa"ss\\wörd'},
    {"miners": [{"host": "b1", "notes": ["x", "the password is s3cret-42!"]}]},
    {"deep": {"a": [{"b": ({"c": "s3cret-42"},)}]}},
])
def test_a_secret_anywhere_is_masked_as_remove_values_masks_it(result):
    masked = without_secrets(result, set(SECRETS))
    assert masked == remove_values(result, set(SECRETS))
    assert not any(secret in repr(masked) for secret in SECRETS)


def test_a_secret_in_a_key_gets_what_remove_values_gives_it():
    result = {"readings": {"s3cret-42": {"power_w": 3000}}}
    assert without_secrets(result, set(SECRETS)) == remove_values(result, set(SECRETS))


def test_a_number_that_spells_a_secret_goes_through_remove_values_too():
    result = {"power_w": 4242}
    assert without_secrets(result, {"4242"}) == remove_values(result, {"4242"})


def test_a_result_without_any_secret_is_returned_as_it_is():
    result = {"miners": [{"host": f"b{i}", "after": {"power_w": 3000 + i}} for i in range(1000)]}
    assert without_secrets(result, set(SECRETS)) is result
    assert without_secrets(result, set()) is result
