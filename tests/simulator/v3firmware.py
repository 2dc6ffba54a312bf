"""API V3 `set.system.update_firmware` on port 4433 (matroskin 0.1.0, docs/api-doc/set.system.update_firmware.md).

The flow, as matroskin documents it: the signed request (ts, account, token, no param), which v3api.handle has
checked as it checks every V3 write (-4 without the write API, with the factory password or a bad token); a
framed `{"code": 0, "msg": "ready"}` (matroskin's "Initial Response"; Tether mock set.system.update_firmware.js
answers the same and shows nothing after it); then, on the same socket, the file prefixed with a 4-byte
little-endian size; then a framed final confirmation, and the miner reboots to apply the image.

The size and the image are V2's layout (protocol.md section 8), so transfers.receive_firmware reads them and
the image is judged by the rules of a V2 upload: a `WMFW <version>` first line is a package for that version,
a whole combined image and anything else are refused, and Upgrades.accept applies the planned outcome
(installed, old_version, not_mining, never_back). Simulator choices, as no source shows them: the final
confirmation's msg is "ok", the success msg of the other V3 writes; a refused image gets -1 (V3's "fail",
Tether's counterpart of V2's 132) with V2's text "invalid firmware file: ...", and no reboot; a malformed or
truncate fault spoils the final reply (the one that tells the outcome), not "ready".

The write log entry: `set.system.update_firmware`, api v3, v2_command update_firmware, and the size, received,
sha256 and version of the bytes received (V2 keeps them in params).
"""

from __future__ import annotations

import transfers

COMMAND = "set.system.update_firmware"
V2_COMMAND = "update_firmware"
READY_MSG = "ready"
DONE_MSG = "ok"


async def update_firmware(miner, session, fault, reply, send_faulty) -> bool:
    """Serve one upload after its request passed the write checks; False: the connection ends.

    ``reply`` builds a V3 reply and ``send_faulty`` sends one spoiled as ``fault`` asks (v3api's own)."""
    stale = miner.faults.take("+".join((COMMAND, V2_COMMAND)), stale=True, api="v3")
    snapshot = miner._stale_snapshot() if stale is not None else None  # pylint: disable=protected-access
    marks = {"fault": "stale"} if stale is not None else {}
    await session.send(reply(COMMAND, 0, READY_MSG))
    upload = await transfers.receive_firmware(session.reader, b"", max(miner.config.idle_timeout, 10.0))
    if upload.error is not None:
        miner.v3_log(COMMAND, None, -1, v2_command=V2_COMMAND, error=upload.error, **upload.log_params(), **marks)
        return await send_faulty(session, reply(COMMAND, -1, "invalid firmware file: %s" % upload.error), fault)
    outcome = miner.upgrades.accept(miner.settings, upload)
    miner.v3_log(COMMAND, None, 0, v2_command=V2_COMMAND, **upload.log_params(), **marks)
    await send_faulty(session, reply(COMMAND, 0, DONE_MSG), fault)
    if stale is not None:
        miner._stale_after(snapshot, stale, restarting=True)  # pylint: disable=protected-access
    miner.begin_restart("reboot", session.writer, seconds=miner.config.upgrade_seconds,
                        forever=outcome == "never_back")
    return False
