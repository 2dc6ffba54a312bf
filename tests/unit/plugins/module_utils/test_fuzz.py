# Copyright: (c) 2026, hashops.whatsminer contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Seeded fuzzing of the parsing and normalisation code with mutations of every stored reply.

Each case takes one stored reply (every fixture in turn, then the simulator's reply templates),
mutates it one to three times (cuts, byte flips, NULs, bytes that are not UTF-8, huge and
non-finite numbers, deep nesting, a value of the wrong type, duplicate keys, long strings, a
summary flooded with error entries, a broken base64 ciphertext ...) and feeds it to every entry
point: ``decode_json`` (as the command it answers, as a summary and as a joined read), ``check``,
``split_joined``, ``first_json_object``, the encrypted path (``_crypto.decrypt`` then
``decode_json``), the credentials (``derive_key``/``make_sign`` with a mutated get_token reply) and
``_state.normalise`` for every subset. Only WhatsMinerError may come out (ValueError from
``_crypto``, whose contract it is), and no input (at most 256 KB, a hundred times the largest real
reply) may take more than 100 ms of CPU through all of them.

Every case has its own ``random.Random``, seeded with ``HASHOPS_FUZZ_SEED`` and its number, so a
failure names the case, and ``HASHOPS_FUZZ_CASE=<n>`` runs that case alone. ``HASHOPS_FUZZ_CASES``
sets how many cases run (default 3000, a few seconds); ``make fuzz`` runs 100000 and prints the
figures (``-s``).
"""

from __future__ import annotations

import gc
import json
import os
import random
import re
import time
from pathlib import Path

from ansible_collections.hashops.whatsminer.plugins.module_utils import _crypto, _protocol, _state
from ansible_collections.hashops.whatsminer.plugins.module_utils._errors import WhatsMinerError

TESTS = Path(__file__).resolve().parents[3]
FIXTURES = TESTS / "unit" / "fixtures"
TEMPLATES = TESTS / "simulator" / "templates"
HOST = "10.1.2.3"
CASES = int(os.environ.get("HASHOPS_FUZZ_CASES", "3000"))
SEED = int(os.environ.get("HASHOPS_FUZZ_SEED", "4028"))
ONLY = os.environ.get("HASHOPS_FUZZ_CASE")
LIMIT_S = 0.1
# A hundred times the largest real reply; a mutation that would grow the input past it is skipped.
MAX_INPUT = 256 * 1024
SUBSETS = _state.SUBSETS + ("all",)
AES_KEY = _crypto.aes_key("RxmaDUO33TS7O26yeMHZ81") if _crypto.HAS_CRYPTO_LIBS else b"\0" * 32

_NUMBER = re.compile(rb"-?[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")
_KEY = re.compile(rb'"[^"\\]{1,40}"\s*:')
_STRING_VALUE = re.compile(rb':\s*"[^"\\]*"')

ODD_NUMBERS = [b"1e400", b"-1e400", b"-Infinity", b"Infinity", b"NaN", b"1" + b"0" * 400, b"-1" + b"0" * 400,
               b"1e308", b"4.9e-324", b"-0", b"0.0000000000000000000001", b"12345678901234567890123456789",
               b"1" + b"0" * 5000, b"inf", b"nan", b"1.", b"01", b"+1", b"0x10", b"1_000"]
ODD_BYTES = [b"\x00", b"\xff", b"\xfe\xff", b"\xc3", b"\xed\xa0\x80", b"\x80\x80", b"\\", b'"', b"\\u", b"\\ud800",
             b"{", b"}", b"[", b"]", b",", b":", b",}", b"\n", b"\r\n", b"\t", b'""', b"\\'", b"'", b"\xe2\x80\xa8"]
QUIRKS = [b",}", b",]", b"\n", b'""temp0":"1"', b':inf,', b':nan}', b'"error_code":["1":"t" "2":"t"]', b"\\'",
          b'"error_code":["329":"2022-01-17 11:28:11",', b"}{", b"[,{", b"\x00\x00"]


ODD_VALUES = (
    lambda rng: rng.choice(([], {}, [1, 2], {"a": 1}, [[[[[]]]]], "", "x", "nan", "1e400", "-Infinity", "\u00b2",
                            "\u0661\u0662", "10" * 30, "\udcff", "{{ lookup('env', 'HOME') }}")),
    lambda rng: rng.choice((0, -1, 1.5, 1e308, -1e308, 10 ** 400, -10 ** 400, None, True, False)),
    lambda rng: "x" * rng.choice((100, 10_000)),
    lambda rng: [{"218": "2024"} for _unused in range(rng.randrange(1, 2000))],
    lambda rng: {"Error Code Count": 10 ** 12, "Error Code 0": rng.choice((110, "110", None, [], 1e400))},
    lambda rng: {str(i): i for i in range(rng.randrange(1, 500))},
)


def odd_values(rng: random.Random):
    """A value of some type a field should not have."""
    return rng.choice(ODD_VALUES)(rng)


def stored_replies() -> list:
    """``(label, raw bytes, command)`` of every stored reply, then of every simulator template."""
    seeds = []
    for path in sorted(FIXTURES.rglob("*")):
        if path.is_file() and path.suffix in (".json", ".raw"):
            seeds.append((str(path.relative_to(FIXTURES)), path.read_bytes(), command_of(path.name)))
    for path in sorted(TEMPLATES.glob("*/*.json")):
        seeds.append((f"templates/{path.parent.name}/{path.name}", path.read_bytes(), command_of(path.name)))
    return seeds


def command_of(name: str) -> str:
    """The command a stored reply answers, from its file name (protocol.md 16)."""
    if "__part_" in name:
        return name.split("__part_")[1].split("__")[0]
    base = name.split("__")[0].rsplit(".", 1)[0]
    for command in _state.COMMAND_ORDER + ("devs", "get_token"):
        if base == command or base.startswith(command + "_"):
            return command
    return base


# ---- mutations: each takes the case's rng and bytes, and returns bytes --------------------------------

def cut(rng, raw):
    return raw[:rng.randrange(len(raw) + 1)]


def flip(rng, raw):
    data = bytearray(raw)
    for _unused in range(rng.randint(1, 8)):
        if data:
            data[rng.randrange(len(data))] ^= 1 << rng.randrange(8)
    return bytes(data)


def insert(rng, raw, piece):
    at = rng.randrange(len(raw) + 1)
    return raw[:at] + piece + raw[at:]


def odd_bytes(rng, raw):
    for _unused in range(rng.randint(1, 4)):
        raw = insert(rng, raw, rng.choice(ODD_BYTES))
    return raw


def nuls(rng, raw):
    return insert(rng, raw, b"\x00" * rng.choice((1, 2, 16, 4096)))


def odd_number(rng, raw):
    numbers = list(_NUMBER.finditer(raw))
    if not numbers:
        return insert(rng, raw, rng.choice(ODD_NUMBERS))
    for match in rng.sample(numbers, min(len(numbers), rng.randint(1, 5)))[::-1]:
        raw = raw[:match.start()] + rng.choice(ODD_NUMBERS) + raw[match.end():]
    return raw


def nest(rng, raw):
    depth = rng.choice((5, 31, 32, 33, 64, 600, 2000, 100_000))
    style = rng.randrange(4)
    if style == 0:
        return b"[" * depth + raw + b"]" * depth
    if style == 1:
        return b"[" * depth
    if style == 2:
        depth = min(depth, 2000)
        return insert(rng, raw, b'"deep":' + b'{"a":' * depth + b"1" + b"}" * depth + b",")
    return insert(rng, raw, b"[" * depth)


def wrong_type(rng, raw):
    value = decoded(raw)
    if value is None:
        return raw
    paths = []
    pending = [(value, ())]
    while pending and len(paths) < 2000:
        node, path = pending.pop()
        children = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
        for key, child in children:
            paths.append(path + (key,))
            pending.append((child, path + (key,)))
    for _unused in range(rng.randint(1, 4)):
        if not paths:
            break
        path = rng.choice(paths)
        node = value
        try:
            for key in path[:-1]:
                node = node[key]
            node[path[-1]] = odd_values(rng)
        except (KeyError, IndexError, TypeError):
            continue
    return json.dumps(value, separators=(",", ":")).encode("utf-8", "surrogatepass")


def duplicate_key(rng, raw):
    keys = list(_KEY.finditer(raw))
    if not keys:
        return raw
    match = rng.choice(keys)
    copy = match.group() + json.dumps(odd_values(rng), separators=(",", ":")).encode("utf-8", "surrogatepass") + b","
    at = match.start() if rng.random() < 0.5 else raw.find(b",", match.end()) + 1 or len(raw)
    return raw[:at] + copy + raw[at:]


def long_string(rng, raw):
    piece = rng.choice([b"x", b"\\\\", b'\\"', b"\\u00e9", b"[{", b",", b"\xc3\xa9"]) * rng.choice((1000, 10_000, 50_000))
    values = list(_STRING_VALUE.finditer(raw))
    if values and rng.random() < 0.7:
        match = rng.choice(values)
        return raw[:match.end() - 1] + piece + raw[match.end() - 1:]
    return insert(rng, raw, b'"' + piece + (b'"' if rng.random() < 0.5 else b""))


def quirk(rng, raw):
    return insert(rng, raw, rng.choice(QUIRKS))


def error_flood(rng, raw):
    """A btminer summary with hundreds of error entries (the quirk of protocol.md 10.4), often cut off."""
    count = rng.choice((0, 1, 50, 300, 2000))
    entries = b",".join(b'"Error Code %d":%d,"Error %d Time":"2024-01-01 00:00:%02d"' % (i, 100 + i % 900, i, i % 60)
                        for i in range(count))
    claimed = rng.choice((count, count + 1, 10 ** 12, 10 ** 400, -1))
    row = b'{"Elapsed":1,"MHS av":76718604.38,' + entries + (b"," if entries else b"") + b'"Error Code Count":%d,"Power Mode":"High"}' % claimed
    if rng.random() < 0.5:
        reply = b'{"STATUS":[{"STATUS":"S","When":1,"Code":11,"Msg":"Summary","Description":"btminer"}],"SUMMARY":[' + row + b'],"id":1}'
    else:
        listed = b",".join(b'{"%d":"2024-06-15 10:30:%02d"}' % (100 + i, i % 60) for i in range(count))
        reply = b'{"STATUS":"S","When":1,"Code":131,"Msg":{"error_code":[' + listed + b']},"Description":""}'
    return cut(rng, reply) if rng.random() < 0.7 else reply


def splice(rng, raw):
    other = rng.choice(SEEDS)[1]
    return raw[:rng.randrange(len(raw) + 1)] + other[rng.randrange(len(other) + 1):]


MUTATIONS = (cut, cut, flip, odd_bytes, nuls, odd_number, odd_number, nest, wrong_type, wrong_type, duplicate_key,
             long_string, quirk, error_flood, splice)


def decoded(raw):
    """The harness's own reading of a mutated input (json alone recurses on deep input)."""
    try:
        return json.loads(raw)
    except (ValueError, RecursionError):
        return None


# ---- the entry points ---------------------------------------------------------------------------

class Figures:
    def __init__(self):
        self.cases = 0
        self.calls = {}
        self.slowest = (0.0, None, None)
        self.started = time.perf_counter()

    def count(self, entry: str, outcome: str):
        counts = self.calls.setdefault(entry, {})
        counts[outcome] = counts.get(outcome, 0) + 1

    def report(self) -> str:
        lines = [f"fuzz: {self.cases} cases (seed {SEED}) in {time.perf_counter() - self.started:.1f} s; "
                 f"slowest input {self.slowest[0] * 1000:.1f} ms CPU (case {self.slowest[1]}: {self.slowest[2]})"]
        for entry in sorted(self.calls):
            counts = self.calls[entry]
            lines.append(f"  {entry:28s} {sum(counts.values()):8d} calls  " + "  ".join(
                f"{outcome} {number}" for outcome, number in sorted(counts.items())))
        return "\n".join(lines)


class Failure(AssertionError):
    pass


class Finding(Exception):
    """An exception an entry point let out that it must not."""


def call(figures, entry, function, *args, allowed=(WhatsMinerError,)):
    try:
        result = function(*args)
    except allowed as err:
        figures.count(entry, type(err).__name__)
        return None
    except Exception as err:
        raise Finding(f"{entry}: {type(err).__name__}: {err}") from err
    figures.count(entry, "ok")
    return result


def replies_for(rng, reply, command) -> dict:
    """The replies normalise gets: a stored miner's, with the mutated one in its place."""
    replies = dict(rng.choice(FAMILIES))
    if "+" in command:
        replies.update(_protocol.split_joined(reply, command))
    elif command == "bundle":
        replies = dict(reply)
    else:
        replies[command] = reply
    return replies


def run_case(number: int, figures: Figures):
    rng = random.Random(f"{SEED}:{number}")
    label, raw, command = SEEDS[number % len(SEEDS)]
    mutations = [rng.choice(MUTATIONS) for _unused in range(rng.choice((1, 1, 2, 3)))]
    for mutation in mutations:
        mutated = mutation(rng, raw)
        raw = mutated if len(mutated) <= MAX_INPUT else raw
    described = f"{label} <- {'+'.join(m.__name__ for m in mutations)}"
    reproduce = f"reproduce: HASHOPS_FUZZ_SEED={SEED} HASHOPS_FUZZ_CASE={number}\n{shown(raw)}"
    state = rng.getstate()
    try:
        spent = timed(exercise, rng, raw, command, figures)
        # CPU time of a loaded machine (or a garbage collection) can spike: only an input that is
        # slow three times over is a finding
        for _retry in range(2):
            if spent <= LIMIT_S:
                break
            rng.setstate(state)
            spent = min(spent, timed(exercise, rng, raw, command, Figures()))
    except Finding as err:
        raise Failure(f"case {number} ({described}): {err}\n{reproduce}") from err
    if spent > figures.slowest[0]:
        figures.slowest = (spent, number, described)
    if spent > LIMIT_S:
        raise Failure(f"case {number} ({described}) took {spent * 1000:.0f} ms of CPU (limit {LIMIT_S * 1000:.0f})\n{reproduce}")
    figures.cases += 1


def timed(function, *args) -> float:
    """CPU seconds ``function(*args)`` took, garbage collection left out."""
    gc.disable()
    try:
        started = time.process_time()
        function(*args)
        return time.process_time() - started
    finally:
        gc.enable()


def shown(raw: bytes) -> str:
    if len(raw) <= 1200:
        return f"input ({len(raw)} bytes): {raw!r}"
    return f"input ({len(raw)} bytes): {raw[:800]!r} ... {raw[-400:]!r}"


def exercise(rng, raw, command, figures):
    call(figures, "first_json_object", _protocol.first_json_object, raw, allowed=())
    # as the command the reply answers (every subset), then as one that real firmware may cut off
    other = rng.choice(("summary", "get_error_code", "summary+pools+edevs+devdetails", "pools+summary+edevs"))
    for sent, subsets in ((command, SUBSETS), (other, ("all", "raw"))):
        reply = call(figures, "decode_json", _protocol.decode_json, raw, HOST, sent)
        if reply is None:
            continue
        assert isinstance(reply, dict)
        call(figures, "check", _protocol.check, reply, HOST, sent)
        call(figures, "split_joined", _protocol.split_joined, reply, sent, allowed=())
        replies = replies_for(rng, reply, sent)
        for subset in subsets:
            state = call(figures, "normalise", _state.normalise, replies, [subset], allowed=())
            if subset in ("all", "raw"):
                # what Ansible does with the facts: no NaN, no infinity, no cycle may be in them
                json.dumps(state, allow_nan=False)
    if _crypto.HAS_CRYPTO_LIBS:
        encrypted_path(rng, raw, command, figures)
        credentials(rng, raw, figures)


def encrypted_path(rng, raw, command, figures):
    data = _crypto.encrypt(AES_KEY, raw).encode("ascii")
    for mutation in rng.sample((cut, flip, odd_bytes, nuls, quirk), rng.randint(0, 2)):
        data = mutation(rng, data)
    text = data.decode("latin-1") if rng.random() < 0.5 else data.decode("utf-8", "surrogateescape")
    plain = call(figures, "decrypt", _crypto.decrypt, AES_KEY, text, allowed=(ValueError,))
    if plain is not None:
        reply = call(figures, "decode_json(decrypted)", _protocol.decode_json, plain, HOST, command)
        if reply is not None:
            call(figures, "check(decrypted)", _protocol.check, reply, HOST, command, True)


def credentials(rng, raw, figures):
    """get_token's Msg as a mutated reply gives it, into the key derivation as the client does it."""
    reply = decoded(raw)
    msg = reply.get("Msg") if isinstance(reply, dict) else None
    if not isinstance(msg, dict):
        msg = {"time": odd_values(rng), "salt": odd_values(rng), "newsalt": odd_values(rng)}
    key = call(figures, "derive_key", _crypto.derive_key, rng.choice(("admin", "h0stile", "é" * 3)), msg.get("salt"),
               allowed=(ValueError,))
    if key is not None:
        call(figures, "make_sign", _crypto.make_sign, key, msg.get("time"), msg.get("newsalt"), allowed=(ValueError,))


SEEDS = stored_replies()
FAMILIES = [
    {command: decoded((FIXTURES / name).read_bytes()) for command, name in family.items()}
    for family in (
        {"summary": "asic-rs/v1/summary_with_errors.json", "edevs": "asic-rs/v1/devs.json", "pools": "asic-rs/v1/pools.json",
         "status": "asic-rs/v1/status.json", "get_version": "asic-rs/v1/get_version.json", "get_psu": "asic-rs/v1/get_psu.json"},
        {"summary": "asic-rs/v2/summary.json", "edevs": "asic-rs/v2/devs.json", "pools": "asic-rs/v2/pools.json",
         "get_error_code": "asic-rs/v2/get_error_code_with_errors.json", "get_miner_info": "asic-rs/v2/get_miner_info.json"},
        {"summary": "whatsminer-pulse/summary__M60S-class_2026-02_v2compat-Msg-object.json",
         "edevs": "whatsminer-pulse/edevs__M60S-class_2026-02.json",
         "devdetails": "whatsminer-pulse/devdetails_deprecated_code132__M60S-class_2026-02.json"},
        {},
    )
]


def test_the_generator_mutates_every_stored_reply():
    stored = {path for path in FIXTURES.rglob("*") if path.is_file() and path.suffix in (".json", ".raw")}
    assert len(SEEDS) >= len(stored)
    assert CASES >= len(SEEDS) or ONLY, "HASHOPS_FUZZ_CASES is below the number of stored replies"


def test_the_generator_is_reproducible():
    first = [mutation(random.Random("x"), SEEDS[0][1]) for mutation in MUTATIONS if mutation is not splice]
    again = [mutation(random.Random("x"), SEEDS[0][1]) for mutation in MUTATIONS if mutation is not splice]
    assert first == again


def test_fuzz_every_entry_point():
    figures = Figures()
    numbers = [int(ONLY)] if ONLY else range(CASES)
    try:
        for number in numbers:
            run_case(number, figures)
    finally:
        print("\n" + figures.report())
    assert figures.cases == len(numbers)
