"""Where the crawler may fetch from: http(s) only, and no private address but the source's.

`addresses` classifies IP addresses, `urls` judges a URL before any request, `resolver` makes
every connection go only to vetted addresses (so DNS rebinding cannot get around the check).
"""
