"""What makes one simulated miner differ from its neighbours, derived only from its index so runs repeat."""

from __future__ import annotations

import random
from dataclasses import dataclass

# Codes seen in real replies and client tables; the miner with index % 5 == 2 carries one or two.
ERROR_CODES = (110, 111, 206, 329, 530, 600, 2310)
ERROR_EVERY = 5
ERROR_SLOT = 2


@dataclass(frozen=True)
class Identity:
    mac: str
    miner_sn: str
    psu_sn: str
    pcb_sns: tuple
    board_ghs: tuple  # factory hashrate per board
    board_freq_offset: tuple  # MHz around the model's base frequency
    board_window_skew: tuple  # how far each board's 5s/1m/5m windows sit from its average
    env_temp: float
    efficiency: float  # this unit's J/TH relative to the model's
    up_before_start: int  # seconds the miner had been up when the farm started
    errors: tuple  # ((code, "YYYY-MM-DD HH:MM:SS"), ...)
    psu_vin: int  # input voltage, 10 mV units


def make_identity(index: int, hardware) -> Identity:
    rng = random.Random("whatsminer-sim/%d/%s" % (index, hardware.model))
    serial = index + 1
    mac = "%s:%02X:%02X:00:%02X:%02X" % (rng.choice(("C4", "C6", "CE")), rng.randrange(256), rng.randrange(256),
                                         (serial >> 8) & 0xFF, serial & 0xFF)
    lot = "%02d%02d" % (rng.randrange(20, 25), rng.randrange(1, 53))
    pcb_sns = tuple("%s%sK%05d" % (hardware.pcb_prefix, lot, (serial * 7 + board) % 100000)[:20]
                    for board in range(hardware.boards))
    board_ghs = tuple(int(hardware.board_ghs * rng.uniform(0.96, 1.04)) for _board in range(hardware.boards))
    errors = ()
    if index % ERROR_EVERY == ERROR_SLOT:
        codes = rng.sample(ERROR_CODES, rng.choice((1, 2)))
        errors = tuple((code, "2024-%02d-%02d %02d:%02d:%02d" % (rng.randrange(1, 13), rng.randrange(1, 29),
                                                                 rng.randrange(24), rng.randrange(60), rng.randrange(60)))
                       for code in codes)
    return Identity(
        mac=mac,
        miner_sn="HTM%s%s%06d" % (hardware.model[1:3], lot, serial),
        psu_sn="%s%07d" % (lot, (serial * 7919) % 10000000),
        pcb_sns=pcb_sns,
        board_ghs=board_ghs,
        board_freq_offset=tuple(rng.randrange(-12, 13) for _board in range(hardware.boards)),
        board_window_skew=tuple(rng.uniform(-0.02, 0.02) for _board in range(hardware.boards)),
        env_temp=round(rng.uniform(24.0, 32.0), 2),
        efficiency=rng.uniform(0.98, 1.03),
        up_before_start=7200 + rng.randrange(0, 259200),
        errors=errors,
        psu_vin=rng.randrange(21800, 23400) if not hardware.hydro else rng.randrange(37800, 39800),
    )
