"""The physics of one miner: hashrate, power, temperatures and counters from its settings.

Kept consistent on purpose: the summary hashrate is the sum of the boards, power follows the mode, the percent
settings and the limit (never above it), and a miner that is not mining hashes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

# (hashrate factor, power factor) per power mode
MODE_FACTORS = {"low": (0.82, 0.74), "normal": (1.0, 1.0), "high": (1.12, 1.22)}
SHARE_DIFFICULTY = 65536.0
IDLE_POWER_W = 12.0
STABLE_AFTER_S = 900


@dataclass
class BoardReading:
    slot: int
    chips: int
    factory_ghs: int
    mhs_av: float
    mhs_5s: float
    mhs_1m: float
    mhs_5m: float
    mhs_15m: float
    hs_rt: float
    temperature: float
    chip_freq: int
    chip_temp_min: float
    chip_temp_max: float
    chip_temp_avg: float
    pcb_sn: str
    accepted: int
    rejected: int
    hw_errors: int
    total_mh: float


@dataclass
class Reading:
    mining: bool
    boards: list
    mhs_av: float
    mhs_5s: float
    mhs_1m: float
    mhs_5m: float
    mhs_15m: float
    hs_rt: float
    power_w: float
    power_limit_w: int
    env_temp: float
    fan_in: int
    fan_out: int
    psu_fan: int
    psu_temp: float
    freq_avg: int
    target_freq_mhz: int
    target_mhs: float
    elapsed: float
    uptime: float
    hash_stable: bool
    accepted: int
    rejected: int
    hw_errors: int
    total_mh: float
    temperature: float
    chip_temp_min: float
    chip_temp_max: float
    chip_temp_avg: float
    factory_ghs: int
    load: float


def effective_limit(settings, hardware) -> int:
    return settings.power_limit_w if settings.power_limit_w is not None else hardware.default_limit_w


def _quantize(value: float, quantum: float) -> float:
    return round(round(value / quantum) * quantum, 2)


def read(hardware, identity, settings, elapsed: float, uptime: float, quantum_mhs: float = 0.01) -> Reading:
    """quantum_mhs: board figures are rounded to this step (10000 when a persona reports boards in TH/s)."""
    nominal_th = sum(identity.board_ghs) / 1000.0
    nominal_w = nominal_th * hardware.joules_per_th * identity.efficiency
    limit = effective_limit(settings, hardware)
    if settings.mining:
        hash_factor, power_factor = MODE_FACTORS.get(settings.power_mode, (1.0, 1.0))
        freq_factor = max(0.05, 1.0 + settings.target_freq_pct / 100.0)
        hash_th = nominal_th * hash_factor * freq_factor
        power = nominal_w * power_factor * freq_factor
        pct = settings.power_pct / 100.0
        if pct != 1.0:
            power *= pct
            hash_th *= pct ** 0.8
        cap = min(limit, settings.power_target_w) if settings.power_target_w is not None else limit
        if power > cap:
            hash_th *= (cap / power) ** 0.8 if power else 0.0
            power = float(cap)
    else:
        freq_factor = 1.0
        hash_factor = 1.0
        hash_th = 0.0
        power = min(IDLE_POWER_W, float(limit)) if limit > 0 else 0.0
    load = power / nominal_w if nominal_w else 0.0
    ratio = hash_th / nominal_th if nominal_th else 0.0
    env = identity.env_temp
    shares_per_mh_s = elapsed / (SHARE_DIFFICULTY * 4294967296.0) * 1e6

    boards = []
    total_ghs = float(sum(identity.board_ghs))
    for slot in range(hardware.boards):
        ghs = identity.board_ghs[slot]
        mhs = _quantize(hash_th * 1e6 * ghs / total_ghs, quantum_mhs) if settings.mining else 0.0
        skew = identity.board_window_skew[slot]
        if hardware.hydro:
            temp = env + 10.0 + 22.0 * load + slot * 0.5
        else:
            temp = env + 8.0 + 32.0 * load + settings.temp_offset * 0.25 + slot * 0.75
        if not settings.mining:
            temp = env + 2.0
        accepted = int(mhs * shares_per_mh_s)
        boards.append(BoardReading(
            slot=slot, chips=hardware.chips, factory_ghs=ghs, mhs_av=mhs,
            mhs_5s=_quantize(mhs * (1 + skew), quantum_mhs), mhs_1m=_quantize(mhs * (1 + skew / 2), quantum_mhs),
            mhs_5m=_quantize(mhs * (1 - skew / 3), quantum_mhs), mhs_15m=_quantize(mhs * (1 + skew / 5), quantum_mhs),
            hs_rt=_quantize(mhs * (1 + skew / 4), quantum_mhs), temperature=round(temp, 2),
            chip_freq=int((hardware.base_freq_mhz + identity.board_freq_offset[slot]) * ratio),
            chip_temp_min=round(temp - 3.0, 2) if settings.mining else round(temp, 2),
            chip_temp_max=round(temp + 17.0, 2) if settings.mining else round(temp, 2),
            chip_temp_avg=round(temp + 9.0, 2) if settings.mining else round(temp, 2),
            pcb_sn=identity.pcb_sns[slot], accepted=accepted, rejected=accepted // 900,
            hw_errors=int(accepted * 0.0004), total_mh=round(mhs * elapsed, 2),
        ))

    if not settings.mining:
        fan = 0 if settings.fan_zero_speed else 1200
    elif hardware.hydro:
        fan = 0
    else:
        fan = min(7200, int(2400 + 3600 * load - settings.temp_offset * 40))

    def total(attr):
        return round(sum(getattr(b, attr) for b in boards), 2)

    accepted = sum(b.accepted for b in boards)
    return Reading(
        mining=settings.mining, boards=boards,
        mhs_av=total("mhs_av"), mhs_5s=total("mhs_5s"), mhs_1m=total("mhs_1m"), mhs_5m=total("mhs_5m"),
        mhs_15m=total("mhs_15m"), hs_rt=total("hs_rt"),
        power_w=round(power, 2), power_limit_w=limit, env_temp=env, fan_in=fan, fan_out=max(0, fan - 30),
        psu_fan=int(2800 + 3200 * min(load, 1.2)) if power > IDLE_POWER_W else 0,
        psu_temp=round(env + 5.0 + 10.0 * min(load, 1.2), 1),
        freq_avg=int(sum(b.chip_freq for b in boards) / len(boards)),
        target_freq_mhz=int(hardware.base_freq_mhz * hash_factor * freq_factor) if settings.mining else 0,
        target_mhs=round(nominal_th * hash_factor * freq_factor * 1e6 * 0.985, 0) if settings.mining else 0.0,
        elapsed=elapsed, uptime=uptime, hash_stable=settings.mining and elapsed >= STABLE_AFTER_S,
        accepted=accepted, rejected=accepted // 900, hw_errors=sum(b.hw_errors for b in boards),
        total_mh=total("total_mh"),
        temperature=max(b.temperature for b in boards),
        chip_temp_min=min(b.chip_temp_min for b in boards),
        chip_temp_max=max(b.chip_temp_max for b in boards),
        chip_temp_avg=round(sum(b.chip_temp_avg for b in boards) / len(boards), 2),
        factory_ghs=sum(identity.board_ghs), load=load,
    )
