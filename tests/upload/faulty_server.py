"""The ingest server's app behind injected faults, run as a child process by the upload tests.

``--fail-rate F``: a share F of ``POST /v1/rollouts`` is answered 500, half of them before
the batch is looked at and half after it was committed (the answer is lost, as when a
server dies after its commit). ``--latency-ms L`` delays every POST, to keep an upload
running long enough to be interrupted.
"""

from __future__ import annotations

import argparse
import asyncio
import random

import uvicorn

from openreward_nb.server.app import create_app
from openreward_nb.store.location import open_store


class Faults:
    """ASGI middleware answering some POSTs to /v1/rollouts with 500."""

    def __init__(self, app, fail_rate: float, latency: float, seed: int) -> None:
        self.app = app
        self.fail_rate = fail_rate
        self.latency = latency
        self.rng = random.Random(seed)

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or scope["path"] != "/v1/rollouts" or scope["method"] != "POST":
            return await self.app(scope, receive, send)
        if self.latency:
            await asyncio.sleep(self.latency)
        roll = self.rng.random()
        if roll >= self.fail_rate:
            return await self.app(scope, receive, send)
        if roll >= self.fail_rate / 2:

            async def lost(message) -> None:
                return None

            await self.app(scope, receive, lost)  # committed, but the client never hears so
        await send({"type": "http.response.start", "status": 500, "headers": [(b"content-type", b"application/json")]})
        await send({"type": "http.response.body", "body": b'{"message":"injected failure"}'})


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--store", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--api-key", required=True)
    parser.add_argument("--fail-rate", type=float, default=0.0)
    parser.add_argument("--latency-ms", type=float, default=0.0)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    app = Faults(
        create_app(open_store(args.store), api_key=args.api_key), args.fail_rate, args.latency_ms / 1000, args.seed
    )
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="warning", lifespan="off")


if __name__ == "__main__":
    main()
