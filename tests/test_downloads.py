"""The optional full-MNIST loader against local servers that refuse, stall, cut off and tamper:
every failure is a ConnectionError that says what to do, within seconds, never a hang or a raw error."""
from __future__ import annotations

import socket
import threading
import time

import pytest

from course_lib.course import downloads


class Server:
    """A TCP server on 127.0.0.1 that answers every connection with ``reply(conn)``."""

    def __init__(self, reply):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port, self.reply, self.conns = self.sock.getsockname()[1], reply, []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.conns.append(conn)
            conn.recv(65536)
            self.reply(conn)

    def close(self):
        self.sock.close()
        for c in self.conns:
            c.close()


def stall(conn):                 # accept, read the request, never answer
    pass


def cut_off(conn):               # promise 1,000 bytes, send 10, hang up
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\nContent-Type: application/json\r\n\r\n{\"data\": ")
    conn.close()


def tamper(conn):                # a complete answer that is not what OpenML sends
    body = b"<html>captive portal</html>"
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\nContent-Type: application/json\r\n\r\n%s" % (len(body), body))
    conn.close()


@pytest.fixture()
def openml_at(monkeypatch):
    """Point scikit-learn's OpenML URLs at a local server; short timeouts so a stall costs seconds."""
    from sklearn.datasets import _openml

    monkeypatch.setattr(downloads, "NETWORK_TIMEOUT_S", 1.0)
    servers = []

    def point(reply=None, port=None):
        if reply is not None:
            servers.append(Server(reply))
            port = servers[-1].port
        base = f"http://127.0.0.1:{port}"
        for name in ("_SEARCH_NAME", "_DATA_INFO", "_DATA_FEATURES", "_DATA_QUALITIES"):
            monkeypatch.setattr(_openml, name, base + getattr(_openml, name).split("openml.org", 1)[1])
    yield point
    for s in servers:
        s.close()


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize("case", ["refuse", "stall", "cut off", "tamper"])
def test_full_mnist_fails_clearly_and_quickly(case, openml_at, monkeypatch, tmp_path):
    from sklearn.datasets import fetch_openml

    openml_at(port=closed_port()) if case == "refuse" else openml_at({"stall": stall, "cut off": cut_off,
                                                                      "tamper": tamper}[case])
    start = time.perf_counter()
    with pytest.raises(ConnectionError, match="load_full_mnist: downloading from openml.org failed") as err:
        downloads.load_full_mnist(fetcher=lambda **kw: fetch_openml(n_retries=1, delay=0.1, **kw), data_home=tmp_path)
    assert time.perf_counter() - start < 10, case
    assert str(tmp_path) in str(err.value)                      # says which cache to delete


def test_no_answer_to_a_name_lookup_costs_at_most_the_timeout(monkeypatch):
    monkeypatch.setattr(downloads, "_resolve", lambda host, port: time.sleep(30))   # DNS that never answers
    start = time.perf_counter()
    assert downloads._network_available("example.invalid", timeout=0.5) is False
    assert time.perf_counter() - start < 2
