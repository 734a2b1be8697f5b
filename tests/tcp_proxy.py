"""A TCP proxy a test can cut and restore: the network between Nurture and its team
database going away (a laptop's Wi-Fi, a server's restart) without touching the server."""

from __future__ import annotations

import contextlib
import random
import select
import socket
import threading

#: Where the proxy's port is picked: below Linux's ephemeral range (32768-60999), which is
#: where the kernel finds ports for outgoing connections and for ``bind(0)``. A port from
#: that range, left free while the proxy is cut, could be taken meanwhile by any connection
#: or test server of a parallel run (or by the app's own reconnect, connecting to itself),
#: and ``restore()`` then failed with "Address already in use".
PORTS = range(20000, 32000)


class CuttableProxy:
    """Forwards 127.0.0.1:``port`` to ``target``; ``cut()`` drops the listener and every
    live connection (new ones are refused), ``restore()`` listens again on the same port."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.port = 0
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self._listener: socket.socket | None = None
        self._closing = threading.Event()
        self.restore()

    def restore(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if self.port:
            listener.bind(("127.0.0.1", self.port))
        else:
            self._bind_outside_the_ephemeral_range(listener)
        listener.listen(16)
        self.port = listener.getsockname()[1]
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    @staticmethod
    def _bind_outside_the_ephemeral_range(listener: socket.socket) -> None:
        for port in random.sample(PORTS, 50):
            try:
                listener.bind(("127.0.0.1", port))
            except OSError:
                continue  # taken by another test: try another
            return
        listener.bind(("127.0.0.1", 0))

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # cut
            try:
                server = socket.create_connection(self.target)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._sockets += [client, server]
            threading.Thread(target=self._pipe, args=(client, server), daemon=True).start()

    def _pipe(self, a: socket.socket, b: socket.socket) -> None:
        peers = {a: b, b: a}
        try:
            while True:
                ready, _, _ = select.select([a, b], [], [], 0.5)
                for sock in ready:
                    data = sock.recv(65536)
                    if not data:
                        return
                    peers[sock].sendall(data)
        except OSError:
            return
        finally:
            for sock in (a, b):
                with contextlib.suppress(OSError):
                    sock.close()

    def cut(self) -> None:
        if self._listener is not None:
            self._listener.close()
            self._listener = None
        with self._lock:
            sockets, self._sockets = self._sockets, []
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            with contextlib.suppress(OSError):
                sock.close()

    def close(self) -> None:
        self.cut()
