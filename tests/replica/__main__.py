"""Serve a sample world until Ctrl-C: python -m tests.replica --port 8000 --markup bitrix."""

from __future__ import annotations

import argparse
import threading

from tests.replica.factory import sample_world
from tests.replica.routes import MARKUPS
from tests.replica.server import ReplicaServer


def main(argv: list[str] | None = None) -> None:
    """Parse arguments, start a replica and block until interrupted."""
    parser = argparse.ArgumentParser(prog="python -m tests.replica", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--markup", choices=sorted(MARKUPS), default="bitrix")
    parser.add_argument("--items", type=int, default=45)
    parser.add_argument("--language", choices=("en", "ru"), default="en")
    parser.add_argument("--page-size", type=int, default=20)
    parser.add_argument("--fault", default=None, help="listing fault, e.g. http_503 or hang")
    args = parser.parse_args(argv)
    world = sample_world(args.items, args.language, page_size=args.page_size)
    world.fault = args.fault
    server = ReplicaServer(world, args.markup, args.host, args.port, args.language).start()
    print(f"replica ({args.markup}, {args.language}, {args.items} items): {server.listing_url}",
          flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


if __name__ == "__main__":
    main()
