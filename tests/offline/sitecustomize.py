"""Loaded by every Python process the offline test starts: refuse all network connections."""

import socket


def _refuse(*args, **kwargs):
    raise OSError("network access attempted in an offline test")


socket.socket.connect = _refuse  # type: ignore[method-assign]
socket.socket.connect_ex = _refuse  # type: ignore[method-assign]
socket.create_connection = _refuse  # type: ignore[assignment]
socket.getaddrinfo = _refuse  # type: ignore[assignment]
