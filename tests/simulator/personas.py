"""Firmware generations the farm can play, and the hardware behind each (protocol.md section 10.1).

A persona fixes how replies look (templates/<persona>/ and the quirk flags below); a hardware entry fixes the
numbers a miner of that model reports. Miners of one persona cycle through its hardware list.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field

TEMPLATE_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "templates")


@dataclass(frozen=True)
class Hardware:
    model: str  # marketing name, e.g. "M31S"
    variant: str  # devdetails Model / get_version miner_type, e.g. "M31SV10"
    firmware: str
    platform: str  # get_version platform
    boards: int
    chips: int  # per board
    board_ghs: int  # factory hashrate of one board
    joules_per_th: float  # at normal power mode
    default_limit_w: int
    base_freq_mhz: int
    pcb_prefix: str
    chip_data: str
    cb_platform: str
    cb_version: str
    psu: dict
    btminer_description: str = "btminer"  # Description inside list-style replies
    hydro: bool = False


@dataclass(frozen=True)
class Persona:
    name: str
    hardware: tuple
    api_ver: str
    description: str  # Description of daemon (flat) replies
    summary_flat: bool = False  # 2025+ V2-compat: summary as {"Msg": {...}}
    status_btmineroff: bool = False  # old status: btmineroff + single-quoted "Firmware Version"
    error_code_invalid_json: bool = False  # API 2.0.4: {"error_code":["329":"..."]}
    summary_error_codes: bool = False  # "Error Code N" / "Error Code Count" in summary
    inner_status_short: bool = False  # edevs/pools inner STATUS without When/Code/Description
    edevs_in_ths: bool = False  # per-board "MHS *" figures really in TH/s
    devdetails_deprecated: bool = False  # devdetails -> Code 132
    trailing_nul: bool = False  # btminer-forwarded replies end with \x00
    api_v3: bool = False  # also answers the read-only API V3 on port 4433
    web_ui: bool = False  # LuCI on 443, port 80 redirecting to it (pyasic identifies the make from that)
    templates: dict = field(default_factory=dict, compare=False, hash=False)


M31S = Hardware(
    model="M31S", variant="M31SV10", firmware="20210109.22.REL", platform="H6OS", boards=3, chips=105,
    board_ghs=25300, joules_per_th=44.0, default_limit_w=3600, base_freq_mhz=690, pcb_prefix="BJM1FS6963",
    chip_data="HPJA05-20070601 BINV02-193005F", cb_platform="ALLWINNER_H6OS", cb_version="V10",
    psu={"name": "P21", "model": "P21-12-3600-E", "hw_version": "", "sw_version": "102220.009"},
)
M20S = Hardware(
    model="M20S", variant="M20SV10", firmware="20210322.22.REL", platform="H3", boards=3, chips=111,
    board_ghs=22800, joules_per_th=49.5, default_limit_w=3500, base_freq_mhz=620, pcb_prefix="H3M14S6F20",
    chip_data="HP3D04-20010214 C BINV04-192104B", cb_platform="ALLWINNER_H3", cb_version="V8",
    psu={"name": "P21", "model": "P21-12-3600-E", "hw_version": "", "sw_version": "102220.009"},
    btminer_description="cgminer 4.9.2",
)
M50S = Hardware(
    model="M50S", variant="M50SVH30", firmware="20240624.18.REL", platform="H616", boards=3, chips=135,
    board_ghs=42000, joules_per_th=26.0, default_limit_w=3600, base_freq_mhz=600, pcb_prefix="BHM5CSD130",
    chip_data="H56A02-23021105 BINV03-196804A", cb_platform="H616", cb_version="CB6V10",
    psu={"name": "P222B", "model": "P222B", "hw_version": "RT0151", "sw_version": "230208.220429"},
)
M56S = Hardware(
    model="M56S", variant="M56S_VH30", firmware="20240624.18.REL", platform="H616", boards=4, chips=156,
    board_ghs=53000, joules_per_th=26.2, default_limit_w=5800, base_freq_mhz=540, pcb_prefix="HEM5HS8G30",
    chip_data="H36K07-23051702 BINV02-196804B", cb_platform="H616", cb_version="CB6V10",
    psu={"name": "P463B", "model": "P463B", "hw_version": "R00003", "sw_version": "220408.221104026"},
    hydro=True,
)
M60S = Hardware(
    model="M60S", variant="M60S_VK40", firmware="20251209.16.Rel2", platform="H616", boards=3, chips=215,
    board_ghs=57500, joules_per_th=18.5, default_limit_w=3600, base_freq_mhz=365, pcb_prefix="SKM3CSD710",
    chip_data="K8EC374-2426 BINVE6-197806A", cb_platform="H616", cb_version="CB6V10",
    psu={"name": "P221B", "model": "P221B", "hw_version": "RT0159", "sw_version": "230224.220429"},
)

PERSONAS = {
    "btminer2021": Persona(
        name="btminer2021", hardware=(M31S, M20S), api_ver="whatsminer v1.4.0", description="whatsminer v1.4.0",
        status_btmineroff=True, error_code_invalid_json=True, summary_error_codes=True, trailing_nul=True,
    ),
    "api205": Persona(name="api205", hardware=(M50S, M56S), api_ver="2.0.5", description="", web_ui=True),
    "v3compat2026": Persona(
        name="v3compat2026", hardware=(M60S,), api_ver="2.0.5", description="", summary_flat=True,
        inner_status_short=True, edevs_in_ths=True, devdetails_deprecated=True, api_v3=True, web_ui=True,
    ),
}


def load_templates() -> None:
    """Read every persona's reply templates once; replies copy their field order and value types."""
    for persona in PERSONAS.values():
        folder = os.path.join(TEMPLATE_DIR, persona.name)
        for filename in sorted(os.listdir(folder)):
            if filename.endswith(".json"):
                with open(os.path.join(folder, filename), encoding="utf-8") as handle:
                    persona.templates[filename[:-5]] = json.load(handle)


def parse_persona_spec(spec: str, miners: int) -> list:
    """'api205' or 'api205:10,btminer2021:5' -> one Persona per miner, in order."""
    parts = [p.strip() for p in spec.split(",") if p.strip()]
    if len(parts) == 1 and ":" not in parts[0]:
        parts = ["%s:%d" % (parts[0], miners)]
    assigned = []
    for part in parts:
        name, _sep, count = part.partition(":")
        if name not in PERSONAS:
            raise ValueError("unknown persona %r (known: %s)" % (name, ", ".join(sorted(PERSONAS))))
        try:
            number = int(count)
        except ValueError:
            raise ValueError("persona count in %r is not a number" % part) from None
        if number < 0:
            raise ValueError("persona count in %r is negative" % part)
        assigned.extend([PERSONAS[name]] * number)
    if len(assigned) != miners:
        raise ValueError("persona counts add up to %d but --miners is %d" % (len(assigned), miners))
    return assigned
