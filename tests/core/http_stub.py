"""A small misbehaving HTTP peer on 127.0.0.1 for the failures a real parent center cannot be
made to show on demand: a 500, an answer that never comes, a connection cut mid-upload.
It is another server, not a stand-in for Orthanc: the client talks to it over real sockets."""

from __future__ import annotations

import socket
import threading
from dataclasses import dataclass, field


@dataclass
class HttpStub:
    mode: str
    """"500": answer every request with 500; "hang": read the request, never answer;
    "cut": read the headers and a little of the body, then reset the connection."""
    port: int = 0
    requests: int = 0
    _server: socket.socket | None = None
    _threads: list[threading.Thread] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/dicom-web"

    def start(self) -> HttpStub:
        self._server = socket.socket()
        # a small receive buffer: the client is still uploading when "cut" resets the connection
        self._server.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        self._server.bind(("127.0.0.1", 0))
        self._server.listen()
        self._server.settimeout(0.2)
        self.port = self._server.getsockname()[1]
        thread = threading.Thread(target=self._serve, daemon=True)
        thread.start()
        self._threads.append(thread)
        return self

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _ = self._server.accept()  # type: ignore[union-attr]
            except (TimeoutError, OSError):
                continue
            thread = threading.Thread(target=self._handle, args=(connection,), daemon=True)
            thread.start()

    def _handle(self, connection: socket.socket) -> None:
        self.requests += 1
        connection.settimeout(30)
        with connection:
            data = b""
            try:
                while b"\r\n\r\n" not in data:
                    chunk = connection.recv(1024)
                    if not chunk:
                        return
                    data += chunk
                if self.mode == "500":
                    body = b"internal error"
                    connection.sendall(
                        b"HTTP/1.1 500 Internal Server Error\r\nContent-Length: "
                        + str(len(body)).encode()
                        + b"\r\nConnection: close\r\n\r\n"
                        + body
                    )
                elif self.mode == "cut":
                    connection.setsockopt(
                        socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\0\0\0\0\0\0\0"
                    )
                elif self.mode == "hang":
                    self._stop.wait(60)
            except OSError:
                return

    def stop(self) -> None:
        self._stop.set()
        if self._server is not None:
            self._server.close()
