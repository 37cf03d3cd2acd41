"""What the ingest-server tests share: one server process per module, on its own store."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ..upload.support import Server


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with Server(str(tmp_path_factory.mktemp("srv") / "server.sqlite")) as srv:
        yield srv
