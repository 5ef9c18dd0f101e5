"""Serve a sample world until Ctrl-C: python -m tests.replica --port 8000 --markup bitrix."""

from __future__ import annotations

import argparse
import signal
import threading

from tests.replica.factory import sample_world
from tests.replica.routes import MARKUPS
from tests.replica.server import ReplicaServer
from tests.replica.world import Article, World


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
    parser.add_argument("--access-log", default=None, metavar="PATH",
                        help='append "METHOD PATH STATUS BYTES" for every answer')
    parser.add_argument("--hold-back", type=int, default=0, metavar="N",
                        help="keep N newer articles back; each SIGUSR1 publishes the next")
    parser.add_argument("--no-furniture", action="store_true",
                        help="plain detail pages: no counter, related list, photo, promo...")
    parser.add_argument("--bilingual", action="store_true",
                        help="both sites with paired stories (tests/replica/bilingual.py): "
                             "English on PORT, Russian on PORT+1; --items counts stories")
    args = parser.parse_args(argv)
    if args.bilingual:
        _serve_bilingual(args)
        return
    articles = sample_world(args.items + args.hold_back, args.language).articles
    held = articles[:args.hold_back]
    world = World(articles[args.hold_back:], page_size=args.page_size)
    world.fault = args.fault
    world.furniture = not args.no_furniture
    server = ReplicaServer(world, args.markup, args.host, args.port, args.language)
    if args.access_log:
        server.access_log = open(args.access_log, "a", encoding="utf-8")  # noqa: SIM115
    server.start()
    _release_on_signal(server, held)
    print(f"replica ({args.markup}, {args.language}, {args.items} items): {server.listing_url}",
          flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


def _serve_bilingual(args: argparse.Namespace) -> None:
    from tests.replica.bilingual import bilingual_world

    site = bilingual_world(args.items, page_size=args.page_size)
    site.world.furniture = not args.no_furniture
    servers = [ReplicaServer(site.world, args.markup, args.host, args.port + n, language)
               for n, language in enumerate(("en", "ru"))]
    for server in servers:
        server.start()
        print(f"replica ({args.markup}, {server.language}, {args.items} stories): "
              f"{server.listing_url}", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        for server in servers:
            server.stop()


def _release_on_signal(server: ReplicaServer, held: list[Article]) -> None:
    """SIGUSR1 publishes the oldest held article; a line on stdout says when it is live."""
    def release(signum: int, frame: object) -> None:
        url = server.url_for(server.world.publish(held.pop())) if held else "nothing held"
        print(f"published {url}", flush=True)

    signal.signal(signal.SIGUSR1, release)


if __name__ == "__main__":
    main()
