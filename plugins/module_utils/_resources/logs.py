# Copyright: (c) 2026, hashops.whatsminer contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# This module is private to the collection: it can change or go away without notice.
"""whatsminer_logs: download the miner's log tarball (``download_logs``, protocol.md 9) to a file.

``dest`` is a file, or a directory that gets ``<prefix>-<UTC timestamp>.tgz`` (``prefix``: the action plugin
fills in the task's inventory_hostname; as a plain module it defaults to ``host``). The client streams the
bytes into a temporary file in the same directory and checks them against ``logfilelen``; the file is
then checked on disk, hashed, synced and only then given its final name (a rename, or a hard link that
never replaces a file already there), so no half file ever carries that name. ``changed`` means a file
was written. Check mode sends nothing and writes nothing. ``download_logs`` is an encrypted command: it
needs the admin password.
"""

from __future__ import annotations

import errno
import hashlib
import os
import re
import tempfile
import time

from ansible_collections.hashops.whatsminer.plugins.module_utils._converge import InvalidOption
from ansible_collections.hashops.whatsminer.plugins.module_utils._errors import ProtocolError, UsageError

COMMAND = "download_logs"
ARGUMENT_SPEC = {
    "dest": {"type": "path", "required": True},
    "prefix": {"type": "str"},
}
STAMP = "%Y%m%dT%H%M%SZ"
SUFFIX = ".tgz"
# a name already taken gets -2, -3, ... up to this
MAX_SAME_NAME = 100
UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
READ_CHUNK = 1024 * 1024


def run(client, params: dict, check: bool, diff: bool) -> dict:  # pylint: disable=unused-argument
    started = time.monotonic()
    host = client.host
    if not params.get("password"):
        raise UsageError(host, COMMAND, "this is a write command and needs the miner's admin password: set the "
                                        "variable whatsminer_password, the env WHATSMINER_PASSWORD or the module's "
                                        "password option; nothing was sent")
    folder, name, generated = target(params["dest"], params.get("prefix") or host, host, time.gmtime())
    path = os.path.join(folder, name)
    if check:
        return {"changed": True, "path": path, "bytes": None, "sha256": None,
                "msg": "check mode: nothing was downloaded or written", "elapsed_s": _since(started)}
    try:
        handle, temp = tempfile.mkstemp(prefix=f".{name}.", suffix=".part", dir=folder)
    except OSError as err:
        raise UsageError(host, COMMAND, f"cannot create a file in {folder}: {err.strerror or err}; "
                                        "nothing was sent") from None
    os.close(handle)
    try:
        written = client.download_logs(temp)
        size, digest = seal(temp)
        if size != written:
            raise ProtocolError(host, COMMAND, f"the temporary file holds {size:,} bytes but {written:,} were "
                                               "received; nothing was kept")
        path = place(temp, folder, name, generated)
    except OSError as err:
        raise UsageError(host, COMMAND, f"the log tarball was received but could not be saved in {folder}: "
                                        f"{err.strerror or err}; nothing was kept") from None
    finally:
        _remove(temp)
    return {"changed": True, "path": path, "bytes": size, "sha256": digest, "elapsed_s": _since(started)}


def target(dest: str, prefix: str, host: str, now) -> tuple:
    """``(folder, file name, generated)`` for ``dest``; generated names are never written over."""
    if os.path.isdir(dest):
        name = f"{UNSAFE.sub('_', prefix).strip('.') or 'miner'}-{time.strftime(STAMP, now)}{SUFFIX}"
        return dest, name, True
    if dest.endswith(os.sep):
        raise InvalidOption(host, "dest", f"the directory {dest} does not exist")
    folder, name = os.path.split(dest)
    folder = folder or os.curdir
    if not os.path.isdir(folder):
        raise InvalidOption(host, "dest", f"the directory {folder} (for {name}) does not exist")
    return folder, name, False


def seal(path: str) -> tuple:
    """``(size, sha256)`` of the file on disk, synced to it."""
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as stream:
        while True:
            chunk = stream.read(READ_CHUNK)
            if not chunk:
                break
            digest.update(chunk)
            size += len(chunk)
        os.fsync(stream.fileno())
    return size, digest.hexdigest()


def place(temp: str, folder: str, name: str, generated: bool) -> str:
    """Give ``temp`` its final name; a generated name gets -2, -3, ... rather than replace a file."""
    if not generated:
        path = os.path.join(folder, name)
        os.replace(temp, path)
        return path
    stem = name[:-len(SUFFIX)]
    for number in range(1, MAX_SAME_NAME + 1):
        path = os.path.join(folder, name if number == 1 else f"{stem}-{number}{SUFFIX}")
        try:
            os.link(temp, path)  # fails when the name is taken: never replaces a file
        except FileExistsError:
            continue
        except OSError as err:
            if err.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP):
                raise
            if os.path.exists(path):  # a file system without hard links: rename where nothing is
                continue
            os.rename(temp, path)
        return path
    raise FileExistsError(errno.EEXIST, f"{MAX_SAME_NAME} files named {stem}*{SUFFIX} exist already", folder)


def _remove(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def _since(started: float) -> float:
    return round(time.monotonic() - started, 1)
