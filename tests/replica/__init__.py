"""A replica of the CSTO news site for tests: a mutable World served over HTTP in three markups."""

from tests.replica.factory import (
    make_article,
    sample_articles,
    sample_world,
    seed_article,
    seed_articles,
    slugify,
)
from tests.replica.routes import MARKUPS
from tests.replica.server import LoggedRequest, ReplicaServer
from tests.replica.world import Article, World, attachment_path, norm_text

__all__ = [
    "MARKUPS",
    "Article",
    "LoggedRequest",
    "ReplicaServer",
    "World",
    "attachment_path",
    "make_article",
    "norm_text",
    "sample_articles",
    "sample_world",
    "seed_article",
    "seed_articles",
    "slugify",
]
