"""The Twisted reactor inside an asyncio application (once per process).

asyncio owns the event loop; Scrapy needs Twisted's asyncio reactor on that same loop.
The reactor must be installed before anything imports `twisted.internet.reactor`, it
stays bound to the first loop for the life of the process, and without
`startRunning()` the first crawl hangs (the DNS thread pool never starts).

Scrapy and Twisted are imported by the functions that need them: a process whose polls
all answered 304 (scraper.idle) never loads them, and still calls `shutdown_reactor()`.
"""

from __future__ import annotations

import asyncio
import sys
from contextlib import suppress

_started = False


def ensure_reactor() -> None:
    """Install and start the asyncio reactor on the running loop (idempotent).

    Call it from a coroutine, before the first crawl.
    """
    from scrapy.utils.reactor import install_reactor, is_asyncio_reactor_installed
    from twisted.internet import error

    from scraper.settings import ASYNCIO_REACTOR

    global _started
    loop = asyncio.get_running_loop()
    if _started:
        if reactor_loop() is not loop:
            raise RuntimeError(
                "the Twisted reactor is bound to another event loop: run every crawl of "
                "this process on the loop that started the first one"
            )
        return
    install_reactor(ASYNCIO_REACTOR)
    if not is_asyncio_reactor_installed():
        raise RuntimeError(
            "another Twisted reactor was installed first: call ensure_reactor() before "
            "anything imports twisted.internet.reactor"
        )
    from twisted.internet import reactor

    if reactor_loop() is not loop:
        raise RuntimeError("the Twisted reactor is bound to another event loop")
    with suppress(error.ReactorAlreadyRunning):  # the host application started it
        reactor.startRunning(installSignalHandlers=False)
    _started = True


def reactor_loop() -> asyncio.AbstractEventLoop | None:
    """The event loop the installed asyncio reactor runs on, if any (for test fixtures)."""
    from scrapy.utils.reactor import is_asyncio_reactor_installed, is_reactor_installed

    if not is_reactor_installed() or not is_asyncio_reactor_installed():
        return None
    from twisted.internet import reactor

    return getattr(reactor, "_asyncioEventloop", None)


def shutdown_reactor() -> None:
    """Stop the reactor's thread pool, or the process hangs on exit."""
    if "twisted.internet.reactor" not in sys.modules:  # no reactor was installed
        return
    from twisted.internet import reactor

    if getattr(reactor, "threadpool", None) is not None:
        reactor._stopThreadPool()
