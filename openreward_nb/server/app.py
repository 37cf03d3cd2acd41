"""The ingest server: the OpenReward rollout API on loopback, recording into a store.

A program using the official ``openreward`` SDK with ``OPENREWARD_API_URL`` pointing here
records into the store (visible in notebooks while it runs). ``POST /v1/rollouts`` takes
the SDK's batches; the environment look-ups the SDK makes at rollout start are answered;
``GET /v1/runs...`` read the store back. Built on Starlette, served by uvicorn, within
the bounds of :class:`~.bounds.ServerLimits` (memory of bodies at once, slow clients,
connections).
"""

from __future__ import annotations

import hmac
import logging
import traceback
from collections.abc import Awaitable, Callable
from typing import Any

from ..errors import StoreUnavailable
from ..extras import needs_extra
from ..safe_text import terminal_block

with needs_extra("server", "The ingest server"):
    from starlette.applications import Starlette
    from starlette.concurrency import run_in_threadpool
    from starlette.requests import ClientDisconnect, Request
    from starlette.responses import JSONResponse, Response
    from starlette.routing import Route

from ..store.base import Store
from . import listing
from .bounds import BodyBudget, Busy, ServerLimits, declared_length, read_body
from .decode import BadRequest, parse_body
from .ingest import Ingestor, Outcome

log = logging.getLogger("openreward_nb.server")
#: answers given before the body was read whole: the connection cannot be reused
_CLOSE_AFTER = frozenset({408, 413, 503})


def error(status: int, message: str, **headers: str) -> JSONResponse:
    """A JSON error answer ``{"error": ..., "message": ...}`` (the SDK's CLI shows ``message``)."""
    codes = {
        400: "bad_request",
        401: "unauthorized",
        404: "not_found",
        408: "request_timeout",
        413: "payload_too_large",
        422: "invalid_event",
        503: "unavailable",
    }
    if status in _CLOSE_AFTER:
        headers = {**headers, "connection": "close"}
    return JSONResponse(
        {"error": codes.get(status, "server_error"), "message": message}, status, headers=headers or None
    )


class IngestApp:
    """The routes, bound to one store and one API key (None: no authentication)."""

    def __init__(self, store: Store, api_key: str | None, limits: ServerLimits) -> None:
        self.store = store
        self.ingestor = Ingestor(store)
        self._key = None if api_key is None else api_key.encode("utf-8")
        self.limits = limits
        self.budget = BodyBudget(limits.body_budget)

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
        limits = self.limits
        try:
            declared = declared_length(request, limits.max_body)
            async with self.budget.hold(declared if declared is not None else limits.max_body, limits.busy_wait):
                outcome = await run_in_threadpool(self._ingest, await read_body(request, limits, declared))
        except BadRequest as exc:
            return error(exc.status, str(exc))
        except Busy:
            return error(503, "the server is busy with other uploads, retry", **{"retry-after": "1"})
        except StoreUnavailable as exc:
            return error(503, f"the store is busy, retry: {exc}", **{"retry-after": "1"})
        except ClientDisconnect:
            return Response(status_code=400)  # nobody is there to read it
        except Exception as exc:  # a bug or a store fault: say so, keep serving
            log.error("a batch could not be stored:\n%s", terminal_block("".join(traceback.format_exception(exc))))
            return error(500, f"the batch was not stored (nothing of it was kept): {type(exc).__name__}")
        return JSONResponse({"ok": True, "stored": outcome.stored, "duplicates": outcome.duplicates})

    async def environment(self, request: Request) -> Response:
        owner, name = request.path_params["owner"], request.path_params["name"]
        return JSONResponse({"id": f"{owner}/{name}", "owner": owner, "name": name})

    async def variants(self, request: Request) -> Response:
        return JSONResponse([])

    async def _page(self, request: Request, fetch: Callable[..., dict[str, Any]], *args: Any) -> Response:
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


def create_app(store: Store, *, api_key: str | None, limits: ServerLimits | None = None) -> Starlette:
    """The ASGI app. ``api_key=None`` turns authentication off (``--no-auth``).

    The environment look-ups stay open: the SDK makes them without its key.
    """
    app = IngestApp(store, api_key, limits or ServerLimits())
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


def serve(store: Store, *, host: str, port: int, api_key: str | None, limits: ServerLimits | None = None) -> None:
    """Run the server until interrupted (SIGINT / SIGTERM)."""
    with needs_extra("server", "The ingest server"):
        import uvicorn

    from .connections import protocol_with

    limits = limits or ServerLimits()
    config = uvicorn.Config(
        create_app(store, api_key=api_key, limits=limits),
        host=host,
        port=port,
        http=protocol_with(limits.request_timeout),
        timeout_keep_alive=limits.keep_alive,
        limit_concurrency=limits.max_connections,
        log_level="warning",
        access_log=False,
        lifespan="off",
        server_header=False,
    )
    uvicorn.Server(config).run()
