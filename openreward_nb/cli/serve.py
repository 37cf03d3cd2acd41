"""``openreward-nb serve``: accept the OpenReward SDK's uploads on loopback and record them into the store."""

from __future__ import annotations

import argparse
import ipaddress
import os
import secrets
import sys
from typing import TYPE_CHECKING

from ..errors import InvalidArgumentError
from ..safe_text import terminal_line

if TYPE_CHECKING:
    from ..server.bounds import ServerLimits

SERVER_KEY_ENV = "OPENREWARD_NB_SERVER_KEY"


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "serve",
        help="accept OpenReward SDK uploads (POST /v1/rollouts) and record them into the store",
        description="Serve the OpenReward rollout API, recording into the store. Point a program that uses the "
        "openreward SDK here with OPENREWARD_API_URL=http://HOST:PORT and OPENREWARD_API_KEY=KEY.",
    )
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1, loopback only)")
    p.add_argument("--port", type=int, default=8765, help="port (default: 8765)")
    p.add_argument(
        "--api-key", help=f"the key clients must send as x-api-key (default: ${SERVER_KEY_ENV}, else a new random one)"
    )
    p.add_argument("--no-auth", action="store_true", help="accept requests without a key (loopback hosts only)")
    p.add_argument("--max-body-mb", type=float, default=32.0, help="largest request body accepted (default: 32)")
    p.add_argument(
        "--body-budget-mb",
        type=float,
        default=64.0,
        help="request bodies read and stored at once, in MB; more wait, then get 503 + Retry-After (default: 64)",
    )
    p.add_argument(
        "--request-timeout",
        type=float,
        default=5.0,
        metavar="S",
        help="seconds for a request head to arrive, and for a body beyond what 256 KB/s needs (default: 5)",
    )
    p.add_argument(
        "--max-connections", type=int, default=256, help="connections at once; more are answered 503 (default: 256)"
    )
    p.add_argument("--store", default=argparse.SUPPRESS, help="store file or URL (same as the global --store)")
    p.set_defaults(handler=_serve)


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _limits(args: argparse.Namespace) -> ServerLimits:
    from ..server.bounds import ServerLimits

    for flag, value in (
        ("--max-body-mb", args.max_body_mb),
        ("--body-budget-mb", args.body_budget_mb),
        ("--request-timeout", args.request_timeout),
        ("--max-connections", args.max_connections),
    ):
        if not value > 0:
            raise InvalidArgumentError(f"{flag} must be more than 0")
    mb = 1024 * 1024
    return ServerLimits(
        max_body=int(args.max_body_mb * mb),
        body_budget=int(args.body_budget_mb * mb),
        request_timeout=args.request_timeout,
        max_connections=args.max_connections,
    )


def _serve(args: argparse.Namespace) -> int:
    from ..server.app import serve
    from ..store.location import open_store, redact

    if args.no_auth and not _is_loopback(args.host):
        raise InvalidArgumentError(
            f"--no-auth is only allowed on a loopback host, not {terminal_line(args.host, 80)!r}"
        )
    limits = _limits(args)
    given = args.api_key or os.getenv(SERVER_KEY_ENV)
    key = None if args.no_auth else (given or secrets.token_urlsafe(24))
    store = open_store(args.store)
    url = terminal_line(f"http://{args.host}:{args.port}", 200)
    print(
        f"openreward-nb: serving the OpenReward rollout API on {url}, recording into {terminal_line(redact(store.url))}"
    )
    shown = "(any)" if key is None else "(the key you gave)" if given else key
    print(f"  point the openreward SDK here: OPENREWARD_API_URL={url} OPENREWARD_API_KEY={shown}")
    if key is None:
        print("  authentication is OFF (--no-auth)")
    if not _is_loopback(args.host):
        print("  warning: listening beyond loopback; the key travels in clear text over plain HTTP", file=sys.stderr)
    sys.stdout.flush()
    serve(store, host=args.host, port=args.port, api_key=key, limits=limits)
    return 0
