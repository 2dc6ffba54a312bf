# Copyright: (c) 2026, hashops.whatsminer contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# This module is private to the collection: it can change or go away without notice.
"""Stage one of discovery: which addresses accept a TCP connection on the API port.

One thread, non-blocking sockets and the platform's best selector (epoll on Linux): at most
``concurrency`` connections are in flight, each given up after ``timeout`` seconds. Nothing is
sent; an accepted connection is closed at once (real miners and the simulator shrug that off,
as they do for ``wait_for``). This costs one socket, one connect and one wake-up per address,
far less than a coroutine or a thread per address, so a /16 is swept in a few seconds.

``Net`` is the seam unit tests replace to run the sweep without a network.
"""

from __future__ import annotations

import collections
import errno
import selectors
import socket
import time

IN_PROGRESS = frozenset((errno.EINPROGRESS, errno.EWOULDBLOCK, errno.EAGAIN, errno.EALREADY))
OUT_OF_FILES = frozenset((errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM))
FD_RESERVE = 64  # descriptors left for everything else the process has open


class Net:
    """The real network: non-blocking IPv4 TCP sockets and the default selector."""

    @staticmethod
    def socket():
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setblocking(False)
        return sock

    @staticmethod
    def selector():
        return selectors.DefaultSelector()


class SweepResult:
    """Addresses that accepted, and figures about the sweep."""

    def __init__(self):
        self.accepted: list = []
        self.scanned = 0
        self.refused = 0
        self.timed_out = 0
        self.failed = 0  # unreachable, reset, ... : anything but accept, refuse and timeout
        self.peak_open = 0
        self.concurrency = 0
        self.elapsed_s = 0.0


class _Attempt:
    __slots__ = ("sock", "address", "deadline", "done")

    def __init__(self, sock, address, deadline):
        self.sock = sock
        self.address = address
        self.deadline = deadline
        self.done = False


def usable_concurrency(requested: int) -> int:
    """``requested``, lowered to what the open-file limit allows (raising the soft limit if it may)."""
    requested = max(1, int(requested))
    try:
        import resource  # pylint: disable=import-outside-toplevel
    except ImportError:  # not POSIX
        return requested
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = requested + FD_RESERVE * 2
    if soft != resource.RLIM_INFINITY and soft < wanted:
        target = wanted if hard == resource.RLIM_INFINITY else min(hard, wanted)
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (ValueError, OSError):
            pass
    if soft == resource.RLIM_INFINITY:
        return requested
    return max(1, min(requested, soft - FD_RESERVE * 2))


def sweep(addresses, port: int, timeout: float, concurrency: int, net=None, clock=time.monotonic) -> SweepResult:
    """Try a TCP connect to ``port`` on every address; return those that accepted, in the order they did."""
    net = net or Net()
    result = SweepResult()
    result.concurrency = limit = max(1, int(concurrency))
    started = clock()
    selector = net.selector()
    in_flight = collections.deque()  # started in deadline order, since every attempt gets the same timeout
    open_now = 0
    pending = iter(addresses)
    exhausted = False
    try:
        while True:
            while not exhausted and open_now < limit:
                address = next(pending, None)
                if address is None:
                    exhausted = True
                    break
                attempt, out_of_files = _start(net, selector, address, port, clock() + timeout, result)
                if out_of_files:
                    # the process ran out of descriptors: work with the ones it has
                    limit = max(1, open_now)
                    result.concurrency = limit
                    pending = _push_back(address, pending)
                    if open_now == 0:
                        raise OSError(errno.EMFILE, "no file descriptor is free to open a socket")
                    break
                if attempt is not None:
                    in_flight.append(attempt)
                    open_now += 1
                    result.peak_open = max(result.peak_open, open_now)
            if open_now == 0:
                break
            wait = max(0.0, in_flight[0].deadline - clock()) if in_flight else timeout
            for key, _events in selector.select(wait):
                attempt = key.data
                code = attempt.sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                _count(result, attempt.address, code)
                open_now -= _finish(selector, attempt)
            now = clock()
            while in_flight and (in_flight[0].done or in_flight[0].deadline <= now):
                attempt = in_flight.popleft()
                if not attempt.done:
                    result.timed_out += 1
                    open_now -= _finish(selector, attempt)
    finally:
        for attempt in in_flight:
            if not attempt.done:
                _finish(selector, attempt)
        selector.close()
    result.elapsed_s = clock() - started
    return result


def _start(net, selector, address, port, deadline, result):
    """Open a socket and start connecting; returns ``(attempt or None, out_of_files)``."""
    try:
        sock = net.socket()
    except OSError as err:
        if err.errno in OUT_OF_FILES:
            return None, True
        raise
    result.scanned += 1
    try:
        code = sock.connect_ex((address, port))
    except OSError as err:  # e.g. an address the kernel refuses to route
        code = err.errno or errno.EHOSTUNREACH
    if code in IN_PROGRESS:
        attempt = _Attempt(sock, address, deadline)
        selector.register(sock, selectors.EVENT_WRITE, attempt)
        return attempt, False
    _count(result, address, code)
    sock.close()
    return None, False


def _count(result: SweepResult, address, code: int) -> None:
    if code == 0:
        result.accepted.append(address)
    elif code == errno.ECONNREFUSED:
        result.refused += 1
    else:
        result.failed += 1


def _finish(selector, attempt: _Attempt) -> int:
    """Stop watching and close ``attempt``'s socket; 1 if it was still open."""
    if attempt.done:
        return 0
    attempt.done = True
    selector.unregister(attempt.sock)
    attempt.sock.close()
    return 1


def _push_back(first, rest):
    yield first
    yield from rest
