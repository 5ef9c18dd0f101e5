"""The daemon's HTTP side: health, metrics, Atom feed, unsubscribe and the history pages.

It runs on the daemon's event loop (aiohttp); database work runs in threads so that a slow
query never holds up a poll.
"""
