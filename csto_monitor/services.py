"""Long-running parts the daemon starts beside the scheduler (bot, HTTP server, ...).

Each is an object with `async start()` and `async stop()`; `build_services` lists those the
configuration enables. Add a channel's or a feature's service here with one line.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from csto_monitor.runtime import Monitor


class Service(Protocol):
    name: str

    async def start(self) -> None: ...

    async def stop(self) -> None: ...


def build_services(monitor: Monitor, scheduler: Any = None) -> list[Service]:
    """The services enabled by the configuration, in start order.

    `scheduler` is the daemon's APScheduler scheduler, for the HTTP server's /healthz.
    """
    services: list[Service] = []
    if "telegram" in monitor.notifiers:  # the bot: long polling beside the scheduler
        from csto_monitor.bot.service import BotService

        services.append(BotService(monitor))
    from csto_monitor.web.server import http_services  # health, metrics, feed, history pages

    services.extend(http_services(monitor, scheduler))
    return services
