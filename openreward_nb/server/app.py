"""The ingest server: the OpenReward rollout API on loopback, recording into a store.

A program using the official ``openreward`` SDK with ``OPENREWARD_API_URL`` pointing here
records into the store (visible in notebooks while it runs). ``POST /v1/rollouts`` takes
the SDK's batches; the environment look-ups the SDK makes at rollout start are answered;
``GET /v1/runs...`` read the store back. Built on Starlette, served by uvicorn.
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable
from typing import Any

from ..errors import StoreUnavailable
from ..extras import needs_extra

with needs_extra("server", "The ingest server"):
    from starlette.applications import Starlette
    from starlette.concurrency import run_in_threadpool
    from starlette.requests import Request
    from starlette.responses import JSONResponse, Response
    from starlette.routing import Route

from ..store.base import Store
from . import listing
from .decode import BadRequest, parse_body
from .ingest import Ingestor, Outcome

DEFAULT_MAX_BODY = 32 * 1024 * 1024


def error(status: int, message: str, **headers: str) -> JSONResponse:
    """A JSON error answer ``{"error": ..., "message": ...}`` (the SDK's CLI shows ``message``)."""
    codes = {
        400: "bad_request",
        401: "unauthorized",
        404: "not_found",
        413: "payload_too_large",
        422: "invalid_event",
        503: "unavailable",
    }
    return JSONResponse(
        {"error": codes.get(status, "server_error"), "message": message}, status, headers=headers or None
    )


async def read_limited(request: Request, limit: int) -> bytes:
    """The request body, refusing (413) as soon as it is known to exceed ``limit`` bytes."""
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.isdigit():
            raise BadRequest(f"content-length: not a byte count: {declared[:40]!r}", 400)
        if int(declared) > limit:
            raise BadRequest(f"body: {int(declared):,} bytes is more than this server accepts ({limit:,})", 413)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BadRequest(f"body: more than this server accepts ({limit:,} bytes)", 413)
        chunks.append(chunk)
    return b"".join(chunks)


class IngestApp:
    """The routes, bound to one store and one API key (None: no authentication)."""

    def __init__(self, store: Store, api_key: str | None, max_body: int) -> None:
        self.store = store
        self.ingestor = Ingestor(store)
        self._key = None if api_key is None else api_key.encode("utf-8")
        self.max_body = max_body

    def denied(self, request: Request) -> Response | None:
        """An error answer unless the request carries the API key (compared in constant time)."""
        if self._key is None:
            return None
        given = request.headers.get("x-api-key")
        if not given:
            return error(401, "missing x-api-key header")
        if not hmac.compare_digest(given.encode("utf-8"), self._key):
            return error(401, "invalid API key")
        return None

    def _ingest(self, body: bytes) -> Outcome:
        return self.ingestor.apply(parse_body(body))

    def guarded(self, handler: Callable[[Request], Awaitable[Response]]) -> Callable[[Request], Awaitable[Response]]:
        """``handler`` behind the API key check."""

        async def endpoint(request: Request) -> Response:
            return self.denied(request) or await handler(request)

        return endpoint

    async def post_rollouts(self, request: Request) -> Response:
        try:
            body = await read_limited(request, self.max_body)
            outcome = await run_in_threadpool(self._ingest, body)
        except BadRequest as exc:
            return error(exc.status, str(exc))
        except StoreUnavailable as exc:
            return error(503, f"the store is busy, retry: {exc}", **{"retry-after": "1"})
        return JSONResponse({"ok": True, "stored": outcome.stored, "duplicates": outcome.duplicates})

    async def environment(self, request: Request) -> Response:
        owner, name = request.path_params["owner"], request.path_params["name"]
        return JSONResponse({"id": f"{owner}/{name}", "owner": owner, "name": name})

    async def variants(self, request: Request) -> Response:
        return JSONResponse([])

    async def _page(self, request: Request, fetch: Callable[..., dict], *args: Any) -> Response:
        query = request.query_params
        try:
            limit, offset = listing.page_bounds(query.get("limit"), query.get("offset"))
        except ValueError as exc:
            return error(400, str(exc))
        return JSONResponse(await run_in_threadpool(fetch, self.store, *args, limit, offset))

    async def runs(self, request: Request) -> Response:
        return await self._page(request, listing.list_runs, request.query_params.get("search"))

    async def run(self, request: Request) -> Response:
        run_id = request.path_params["run_id"]
        found = await run_in_threadpool(listing.get_run, self.store, run_id)
        return JSONResponse(found) if found is not None else error(404, f"no run {run_id!r}")

    async def rollouts(self, request: Request) -> Response:
        run_id = request.path_params["run_id"]
        if await run_in_threadpool(listing.get_run, self.store, run_id) is None:
            return error(404, f"no run {run_id!r}")
        return await self._page(request, listing.list_rollouts, run_id)

    async def health(self, request: Request) -> Response:
        return JSONResponse({"ok": True})


def create_app(store: Store, *, api_key: str | None, max_body: int = DEFAULT_MAX_BODY) -> Starlette:
    """The ASGI app. ``api_key=None`` turns authentication off (``--no-auth``).

    The environment look-ups stay open: the SDK makes them without its key.
    """
    app = IngestApp(store, api_key, max_body)
    guard = app.guarded
    return Starlette(
        routes=[
            Route("/v1/rollouts", guard(app.post_rollouts), methods=["POST"]),
            Route("/v1/environments/{owner}/{name}", app.environment, methods=["GET"]),
            Route("/v1/environments/{owner}/{name}/variants", app.variants, methods=["GET"]),
            Route("/v1/runs", guard(app.runs), methods=["GET"]),
            Route("/v1/runs/{run_id:path}/rollouts", guard(app.rollouts), methods=["GET"]),
            Route("/v1/runs/{run_id:path}", guard(app.run), methods=["GET"]),
            Route("/healthz", app.health, methods=["GET"]),
        ]
    )


def serve(store: Store, *, host: str, port: int, api_key: str | None, max_body: int = DEFAULT_MAX_BODY) -> None:
    """Run the server until interrupted (SIGINT / SIGTERM)."""
    with needs_extra("server", "The ingest server"):
        import uvicorn

    config = uvicorn.Config(
        create_app(store, api_key=api_key, max_body=max_body),
        host=host,
        port=port,
        log_level="warning",
        access_log=False,
        lifespan="off",
        server_header=False,
    )
    uvicorn.Server(config).run()
