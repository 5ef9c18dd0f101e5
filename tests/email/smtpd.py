"""A real SMTP server for tests (aiosmtpd on 127.0.0.1, a free port) with injectable faults."""

from __future__ import annotations

import asyncio
import socket
import struct
import threading
import time
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller

from tests.fixtures.ports import free_port

__all__ = ["Recorder", "SmtpServer", "drop_first_connections", "free_port"]


@dataclass
class Recorder:
    """The handler: records accepted messages; refuses, defers or stalls as told."""

    refuse: dict[str, str] = field(default_factory=dict)  # address -> "550 ..." reply
    refuse_data: dict[str, str] = field(default_factory=dict)  # the same, at DATA
    defer_rcpt: int = 0  # reply 421 to this many RCPT commands first
    stall_after: int | None = None  # stall RCPT once this many messages were accepted
    messages: list[tuple[list[str], bytes]] = field(default_factory=list)
    sessions: int = 0
    release: threading.Event = field(default_factory=threading.Event)
    stalled: threading.Event = field(default_factory=threading.Event)

    async def handle_EHLO(self, server: Any, session: Any, envelope: Any, hostname: str,
                          responses: list[str]) -> list[str]:
        self.sessions += 1
        session.host_name = hostname
        return responses

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,
                          options: list[str]) -> str:
        if self.stall_after is not None and len(self.messages) >= self.stall_after:
            self.stalled.set()
            while not self.release.is_set():
                await asyncio.sleep(0.05)
            return "451 released"
        if self.defer_rcpt > 0:
            self.defer_rcpt -= 1
            return "421 4.7.0 Try again later"
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        for address in envelope.rcpt_tos:
            if address in self.refuse_data:
                return self.refuse_data[address]
        self.messages.append((list(envelope.rcpt_tos), bytes(envelope.content)))
        return "250 Message accepted"

    def parsed(self) -> list[EmailMessage]:
        return [message_from_bytes(raw, policy=policy.default)  # type: ignore[misc]
                for _, raw in self.messages]

    def to(self, address: str) -> list[EmailMessage]:
        return [m for (rcpt, _), m in zip(self.messages, self.parsed(), strict=True)
                if address in rcpt]


class SmtpServer:
    def __init__(self, handler: Recorder, port: int | None = None) -> None:
        self.handler = handler
        self.port = port or free_port()
        self.controller = Controller(handler, hostname="127.0.0.1", port=self.port)

    def start(self) -> SmtpServer:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.handler.release.set()
        self.controller.stop()


def drop_first_connections(port: int, count: int, then: SmtpServer) -> threading.Thread:
    """Accept and drop (RST) the first `count` connections on `port`, then start `then`."""
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", port))
    listener.listen(8)

    def run() -> None:
        for _ in range(count):
            conn, _ = listener.accept()
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            conn.close()
        listener.close()
        time.sleep(0.05)
        then.start()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread
