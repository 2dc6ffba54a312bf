# Copyright: (c) 2026, hashops.whatsminer contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# This module is private to the collection: it can change or go away without notice.
"""The connection options every module shares (documented in doc_fragments/_connection.py)."""

from __future__ import annotations

from ansible_collections.hashops.whatsminer.plugins.module_utils._client import WhatsMinerClient
from ansible_collections.hashops.whatsminer.plugins.module_utils._client_v3 import WhatsMinerV3Client
from ansible_collections.hashops.whatsminer.plugins.module_utils._errors import UsageError, WhatsMinerError
from ansible_collections.hashops.whatsminer.plugins.module_utils._protocol import PORT
from ansible_collections.hashops.whatsminer.plugins.module_utils._protocol_v3 import PORT as V3_PORT
from ansible_collections.hashops.whatsminer.plugins.module_utils._v3_facade import V3Facade

PASSWORD_VARIABLE = "whatsminer_password"
PASSWORD_ENV = "WHATSMINER_PASSWORD"
# The inventory plugin records which API a miner answered, so that plays do not probe again.
API_VARIABLE = "whatsminer_api"
APIS = ("auto", "v2", "v3")
# The modules whose reads and writes the V3 facade covers: with api v3 they work through it ...
V3_READY = frozenset(("facts", "power", "pools", "logs", "settings", "customer_msg", "net", "firmware",
                      "led", "system"))
# ... and these also under api auto (a module joins V3_READY once its target asserts the V3 commands).
V3_AUTO = V3_READY
# How long ``api: auto`` waits for API V3 before it reads the miner through V2 (Tether's order, protocol.md 12).
PROBE_TIMEOUT_S = 2.0

CONNECTION_SPEC = {
    "host": {"type": "str"},
    "port": {"type": "int", "default": PORT},
    "password": {"type": "str", "no_log": True},
    "timeout": {"type": "float", "default": 10.0},
    "api": {"type": "str", "choices": list(APIS), "default": "auto"},
    "v3_port": {"type": "int", "default": V3_PORT},
}


def client_from_params(params: dict, resource=None, say=None):
    """The client for one miner: WhatsMinerClient (API V2), or V3Facade when the miner is read through API V3.

    ``api`` v3, or auto when ``get.device.info`` answers on ``v3_port`` within PROBE_TIMEOUT_S, picks V3
    for a resource that speaks it (``V3_READY``; for auto, ``V3_AUTO``); auto falls back to V2 and says
    why through ``say`` (the action plugin's -v). Without a resource (the engine's own follow-up
    clients), ``api`` v3 alone picks V3. The probe's reply is the facade's first get.device.info.
    """
    v2 = WhatsMinerClient(params["host"], port=params["port"], password=params.get("password"),
                          timeout=params["timeout"])
    api = params.get("api") or "auto"
    if resource is not None and not speaks_v3(resource, auto=api == "auto"):
        if api == "v3":
            raise UsageError(params["host"], "api", f"{_name(resource)} does not work through API V3 yet; "
                                                    "use api: auto or v2 (nothing was sent)")
        return v2
    if resource is None and api != "v3" or api == "v2":
        return v2
    v3_port = params.get("v3_port") or V3_PORT
    v3 = WhatsMinerV3Client(params["host"], port=v3_port, password=params.get("password"), timeout=params["timeout"])
    if api == "v3":
        return V3Facade(v3, v2)
    v3.timeout, v3.read_retries = min(PROBE_TIMEOUT_S, float(params["timeout"])), 0
    try:
        probed = v3.get("get.device.info").get("msg")
    except WhatsMinerError as err:
        if say is not None:
            say(f"miner {params['host']}: API V3 did not answer get.device.info on port {v3_port} ({err.cause}); "
                f"using API V2 on port {params['port']}")
        return v2
    finally:
        v3.timeout, v3.read_retries = float(params["timeout"]), 1
    if say is not None:
        say(f"miner {params['host']}: API V3 answered on port {v3_port}; using it")
    return V3Facade(v3, v2, probed_info=probed if isinstance(probed, dict) else None)


def speaks_v3(resource, auto: bool = False) -> bool:
    """Whether the module of this resource works through API V3 (V3Facade): when asked, or (auto) by default."""
    return getattr(resource, "__name__", "").rsplit(".", 1)[-1] in (V3_AUTO if auto else V3_READY)


def _name(resource) -> str:
    return "whatsminer_" + getattr(resource, "__name__", "module").rsplit(".", 1)[-1]


def argument_spec(resource) -> dict:
    """The connection options plus a resource's own (a module of plugins/module_utils/_resources)."""
    return dict(CONNECTION_SPEC, **resource.ARGUMENT_SPEC)


# A pool password such as "x" or "1" is a placeholder, not a secret; masking it would mask that letter in
# every string of the result. The admin password is always masked, whatever its length.
MIN_SECRET_LENGTH = 3


def secret_values(resource, params: dict) -> set:
    """Secrets a resource finds in free-form parameters, beyond the options marked no_log."""
    find = getattr(resource, "secrets", None)
    return find(params) if find else set()


def values_to_mask(resource, params: dict, no_log_values) -> set:
    """Every value to mask in a result: the no_log options, the resource's own secrets, the password."""
    values = {str(v) for v in set(no_log_values) | secret_values(resource, params) if len(str(v)) >= MIN_SECRET_LENGTH}
    if params.get("password"):
        values.add(params["password"])
    return values


def argument_rules(resource) -> dict:
    """A resource's mutually_exclusive / required_together / ... for the argument spec validator."""
    return dict(getattr(resource, "ARGUMENT_RULES", {}))
