"""A TCP relay in front of the test PostgreSQL server that fails the network on cue.

It reads the client's side of the wire protocol, so it can cut a connection exactly at
a ``COMMIT``: before forwarding it (the transaction rolls back) or after the server
received it but before its answer reaches the client (the transaction commits, the
client cannot know). ``down()`` / ``up()`` make the server unreachable and back.
"""

from __future__ import annotations

import socket
import struct
import threading
import time
from urllib.parse import urlsplit

from .pg import free_port

_UNTYPED_REQUESTS = (80877103, 80877104)  # SSLRequest, GSSENCRequest: another untyped message follows


class Proxy:
    """Relays 127.0.0.1:<port> to the server of ``url``; ``cut_at_commit`` = "before" | "after" arms one cut."""

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        self.target = (parts.hostname or "127.0.0.1", parts.port or 5432)
        self._base = url
        self.port = free_port()
        self.cut_at_commit: str | None = None
        self.cuts = 0
        self._sockets: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._listener: socket.socket | None = None
        self.up()

    def url(self) -> str:
        """The store URL, through this relay (plain TCP so the relay can read the protocol)."""
        parts = urlsplit(self._base)
        netloc = parts.netloc.rpartition("@")[0] + f"@127.0.0.1:{self.port}"
        sep = "&" if parts.query else ""
        return parts._replace(netloc=netloc, query=f"{parts.query}{sep}sslmode=disable&gssencmode=disable").geturl()

    def up(self) -> None:
        """Accept connections (again) on the same port."""
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def down(self) -> None:
        """Refuse new connections and cut every open one, as a server that went away."""
        listener, self._listener = self._listener, None
        if listener is not None:
            _close(listener)  # shutdown() wakes the thread blocked in accept()
        with self._lock:
            live, self._sockets = self._sockets, set()
        for sock in live:
            _close(sock)

    close = down

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            server = socket.create_connection(self.target)
            with self._lock:
                self._sockets |= {client, server}
            link = _Link(self, client, server)
            threading.Thread(target=link.client_to_server, daemon=True).start()
            threading.Thread(target=link.server_to_client, daemon=True).start()


class _Link:
    """One relayed connection."""

    def __init__(self, proxy: Proxy, client: socket.socket, server: socket.socket) -> None:
        self.proxy, self.client, self.server = proxy, client, server
        self.muted = False  # drop what the server says from now on

    def server_to_client(self) -> None:
        try:
            while data := self.server.recv(65536):
                if not self.muted:
                    self.client.sendall(data)
        except OSError:
            pass
        self._close()

    def client_to_server(self) -> None:
        try:
            while True:
                length = struct.unpack("!i", _read(self.client, 4))[0]
                body = _read(self.client, length - 4)
                self.server.sendall(struct.pack("!i", length) + body)
                if struct.unpack("!i", body[:4])[0] not in _UNTYPED_REQUESTS:
                    break
            while True:
                head = _read(self.client, 5)
                body = _read(self.client, struct.unpack("!i", head[1:])[0] - 4)
                if self._is_commit(head[:1], body) and self.proxy.cut_at_commit:
                    self._cut(head + body)
                    return
                self.server.sendall(head + body)
        except OSError:
            pass
        self._close()

    @staticmethod
    def _is_commit(kind: bytes, body: bytes) -> bool:
        if kind == b"Q":
            query = body.split(b"\0")[0]
        elif kind == b"P":
            query = body.split(b"\0")[1]
        else:
            return False
        return query.strip().rstrip(b";").upper() == b"COMMIT"

    def _cut(self, commit: bytes) -> None:
        when, self.proxy.cut_at_commit = self.proxy.cut_at_commit, None
        self.muted = True
        if when == "after":
            self.server.sendall(commit)
            time.sleep(0.5)  # the server commits; its answer is dropped
        self.proxy.cuts += 1
        self._close()

    def _close(self) -> None:
        _close(self.client)
        _close(self.server)


def _read(sock: socket.socket, n: int) -> bytes:
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise ConnectionError("closed")
        data += chunk
    return data


def _close(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    sock.close()
