"""``openreward-nb sync``: upload the store's rollouts to the OpenReward API (what is not there yet)."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "sync",
        help="upload recorded rollouts to the OpenReward API",
        description="Upload what the store holds and the API has not received yet, as the openreward SDK "
        "would have sent it. Resumes where an earlier upload stopped. Exit status 1 while anything is left.",
    )
    p.add_argument("--run", help="only this run's rollouts")
    p.add_argument("--api-url", help="the API (default: $OPENREWARD_API_URL, else api. of $OPENREWARD_URL)")
    p.add_argument("--api-key", help="the API key (default: $OPENREWARD_API_KEY)")
    p.add_argument("--retry-failed", action="store_true", help="try again the rollouts the server refused before")
    p.add_argument(
        "--give-up-after",
        type=float,
        default=30.0,
        metavar="S",
        help="stop after S seconds without progress; the rest stays queued (default: 30)",
    )
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument("--store", default=argparse.SUPPRESS, help="store file or URL (same as the global --store)")
    p.set_defaults(handler=_sync)


def _sync(args: argparse.Namespace) -> int:
    from ..store.location import open_store
    from ..upload.foreground import upload_now
    from ..upload.target import Target

    target = Target.resolve(api_url=args.api_url, api_key=args.api_key)
    result = upload_now(
        open_store(args.store),
        target,
        run=args.run,
        retry_failed=args.retry_failed,
        give_up_after=args.give_up_after,
        progress=False if args.no_progress else None,
    )
    print(result)
    return 0 if result.ok else 1
