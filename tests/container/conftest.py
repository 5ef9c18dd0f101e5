"""The image, built once per test run from the project's Dockerfile (tests/container/podman.py).

Every test here is in the xdist group "container": they run on one worker, which builds
the image once (its dependency layers stay cached in podman's store between runs).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from tests.container.podman import PodmanError, build, ensure_base, podman, remove

_FAILED: list[str] = []


@pytest.fixture(scope="session")
def image() -> Iterator[str]:
    """The tag of an image built from the working tree; only the tag goes afterwards (the
    image stays as the next build's cache: `podman image prune` frees it)."""
    if _FAILED:  # a failed build is not tried again by every test that needs it
        pytest.fail(f"the image did not build (see the first test's error): {_FAILED[0]}",
                    pytrace=False)
    tag = f"localhost/csto-monitor-test:{uuid.uuid4().hex[:10]}"
    try:
        ensure_base()
        build(tag)
    except PodmanError as exc:
        _FAILED.append(str(exc).splitlines()[0])
        pytest.fail(str(exc), pytrace=False)
    yield tag
    podman("untag", tag, tag, check=False)


@pytest.fixture
def volume() -> Iterator[str]:
    """A named volume of its own (created on first use by `podman run -v NAME:...`)."""
    name = f"csto-monitor-test-{uuid.uuid4().hex[:10]}"
    yield name
    remove("volume", name)
