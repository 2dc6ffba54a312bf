# Copyright: (c) 2026, hashops.whatsminer contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A device that is not a miner but listens on the API port: it answers everything like a web server.

    python stranger.py ADDRESS PORT READY_FILE
"""

from __future__ import annotations

import socket
import sys

REPLY = b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"


def main(address: str, port: str, ready_file: str) -> None:
    server = socket.socket()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind((address, int(port)))
    server.listen(16)
    with open(ready_file, "w", encoding="utf-8"):
        pass
    while True:
        conn, _peer = server.accept()
        with conn:
            conn.settimeout(2)
            try:
                conn.recv(4096)
                conn.sendall(REPLY)
            except OSError:
                pass


if __name__ == "__main__":
    main(*sys.argv[1:4])
