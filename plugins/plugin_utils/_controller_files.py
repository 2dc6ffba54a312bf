# Copyright: (c) 2026, hashops.whatsminer contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# This module is private to the collection: it can change or go away without notice.
"""Files an action plugin keeps on the controller: a JSON document replaced whole, a JSON-lines log appended to.

Written by the plugin itself, in-process, instead of by ``copy`` and ``lineinfile`` tasks: each of those is a
module run in a new Python on the controller, about 0.5 s apiece in a play of 1,000 hosts.
"""

from __future__ import annotations

import json
import os
import tempfile

FILE_MODE = 0o640
DIR_MODE = 0o750


def write_json(path: str, document) -> None:
    """Replace ``path`` with ``document`` (indented, sorted keys) at once: a reader never sees half of it."""
    path = os.path.expanduser(path)
    folder = os.path.dirname(path) or "."
    os.makedirs(folder, mode=DIR_MODE, exist_ok=True)
    handle, temp = tempfile.mkstemp(prefix=f".{os.path.basename(path)}.", suffix=".part", dir=folder)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(json.dumps(document, indent=1, sort_keys=True) + "\n")
        os.chmod(temp, FILE_MODE)
        os.replace(temp, path)
    except BaseException:
        if os.path.exists(temp):
            os.unlink(temp)
        raise


def append_line(path: str, record) -> None:
    """Append ``record`` as one line of JSON to ``path``, creating it (and its directory) when missing."""
    path = os.path.expanduser(path)
    os.makedirs(os.path.dirname(path) or ".", mode=DIR_MODE, exist_ok=True)
    handle = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, FILE_MODE)
    with os.fdopen(handle, "a", encoding="utf-8") as stream:
        stream.write(json.dumps(record) + "\n")
