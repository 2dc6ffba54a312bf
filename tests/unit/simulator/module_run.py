# Copyright: (c) 2026, hashops.whatsminer contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""One run of a module's resource against the simulated farm, its client chosen as the action plugin chooses it."""

from __future__ import annotations

from simclient import PASSWORD

from ansible_collections.hashops.whatsminer.plugins.module_utils import _connection


def options(resource, host: str, api: str = "auto", **given) -> dict:
    """The connection options a play would give (``api`` auto, the farm's password) and the resource's defaults."""
    spec = resource.ARGUMENT_SPEC
    base = {"host": host, "port": 4028, "password": PASSWORD, "timeout": 3.0, "api": api, "v3_port": 4433}
    base.update({name: spec[name].get("default") for name in spec})
    return dict(base, **given)


def run(resource, host: str, check: bool = False, **given) -> tuple:
    """``(result, client)``: the client tells which API was used (``client.api``, ``commands_sent``)."""
    params = options(resource, host, **given)
    client = _connection.client_from_params(params, resource)
    return resource.run(client, params, check, True), client
