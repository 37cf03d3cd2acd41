"""Search benchmark: the first matches of a rare and a common term in 1M events, the cost of keeping
the index, and its size, on SQLite and PostgreSQL.

The store is the frames benchmark's (10,000 rollouts x 100 events, recorded through the store's
own write path by ``bench_frames.build_store``) with :data:`NEEDLE_ROLLOUTS` more rollouts, each
holding the rare term once. Every ratio compares figures measured in the same run:

- ``search(term, limit=100)`` (first use builds the index: timed apart) against a ``LIKE '%term%'``
  scan of the same store that finds every match (what answering without an index takes: it must
  read every event to know it has them all); ``LIKE ... LIMIT 100``, which stops at the 100th
  match, is printed beside it (for a common term it stops within the first rows).
- Recording throughput (log calls, then flush) into a store whose writers keep the index in their
  idle time, against the same store with the index switched off, runs alternating; then how long
  the writer takes to bring the index up to date after the burst. A trigger that indexes each
  event as it is inserted (SQLite) and a pg_trgm expression index on ``events`` (PostgreSQL), the
  designs not taken, are measured the same way.
- The index's size against the bytes of text it covers.
- PostgreSQL (``--pg URL``, or $OPENREWARD_NB_TEST_PG_URL): the same store, the same searches.

``--check`` exits 1 when a target is missed. Query times are the median of ``--repeats`` runs
(min-max printed): the machine is shared.

    python benchmarks/bench_search.py --check
    python benchmarks/bench_search.py --quick          # 200 rollouts x 50 events, no time target checked
    python benchmarks/bench_search.py --keep /tmp/s.sqlite   # build once, reuse after (indexed in place)
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _workload import finish, make_pool, workload
from bench_frames import _pool, _rollout_ops, build_store

import openreward_nb
from openreward_nb.events import Event
from openreward_nb.fulltext.index import PostgresIndex, index_for
from openreward_nb.fulltext.text import INDEXED_TEXT_SQL
from openreward_nb.store import close_store
from openreward_nb.store.location import open_store
from openreward_nb.store.ops import EventOp, plan_batch
from openreward_nb.store.sqlite import SQLiteStore

RARE = "flag{s3cr3t"
COMMON = "permission"
TERMS = {"rare": RARE, "common": COMMON}
NEEDLE_ROLLOUTS = 20
PG_ENV = "OPENREWARD_NB_TEST_PG_URL"


# --- the store ---------------------------------------------------------------------------------
def add_needles(url: str, first: int, n_events: int) -> None:
    """:data:`NEEDLE_ROLLOUTS` more rollouts of the same workload, one tool result of each holding the rare term."""
    store = open_store(url)
    pool = _pool()
    ops: list[Any] = []
    start = time.time()
    for r in range(first, first + NEEDLE_ROLLOUTS):
        for op in _rollout_ops(r, n_events, start + r, pool):
            if isinstance(op, EventOp) and op.idx == 5:
                text = f"$ cat /challenge/flag.txt\n{RARE}_{r}}}\n"
                op = EventOp(
                    op.rollout_id, op.idx, op.ts, Event("tool_result", text, call_id="call_4"), 0.1, False, None
                )
            ops.append(op)
    conn = store.connect()
    try:
        store.write(conn, plan_batch(ops, {}))
    finally:
        conn.close()


def text_bytes(url: str) -> int:
    """Bytes (UTF-8) of the text the index covers: every event's fields, as the index joins them."""
    store = open_store(url, read_only=True)
    fn = "length(CAST({} AS BLOB))" if isinstance(store, SQLiteStore) else "octet_length({})"
    return int(store.query(f"SELECT SUM({fn.format(INDEXED_TEXT_SQL)}) FROM events")[0][0])


def pg_schema_url(server: str, schema: str) -> str:
    return f"{server}{'&' if '?' in server else '?'}options=-csearch_path%3D{schema}"


def pg_admin(server: str) -> Any:
    import psycopg

    return psycopg.connect(server, autocommit=True)


# --- queries ---------------------------------------------------------------------------------
def spread(fn: Callable[[], Any], repeats: int) -> tuple[list[float], Any]:
    """Wall times of ``repeats`` calls (after one warm-up), and the last result."""
    result = fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return times, result


def like_scan(url: str, term: str, limit: int | None) -> Callable[[], int]:
    """The query a user without an index runs: every event whose text holds ``term``, in order."""
    store = open_store(url, read_only=True)
    op = "LIKE" if isinstance(store, SQLiteStore) else "ILIKE"
    cond = " OR ".join(f"e.{f} {op} ?" for f in ("content", "summary", "name"))
    sql = store.translate(
        f"SELECT e.seq, e.rollout_id, e.idx FROM events e WHERE {cond} ORDER BY e.seq"
        + (f" LIMIT {limit}" if limit else "")
    )
    pattern = f"%{term}%"
    return lambda: len(store.query(sql, (pattern,) * 3))


def measure_queries(url: str, repeats: int) -> dict[str, Any]:
    store = open_store(url, read_only=True)
    out: dict[str, Any] = {}
    index = index_for(store)
    state = index.state()
    if state.built and state.missing == 0:
        out["build_s"] = None
    else:  # what a store's first search does when the index lacks much (here whatever it lacks)
        start = time.perf_counter()
        conn = open_store(url).connect()
        try:
            index.catch_up(conn, state.missing)
        finally:
            conn.close()
        out["build_s"] = time.perf_counter() - start
    out["index_bytes"] = index.size_bytes()
    out["copy_bytes"] = index.copy_bytes() if isinstance(index, PostgresIndex) else 0
    out["text_bytes"] = text_bytes(url)
    for name, term in TERMS.items():
        times, frame = spread(
            lambda term=term: openreward_nb.search(term, store=store, limit=100, progress=False), repeats
        )
        scan_times, n_all = spread(like_scan(url, term, None), max(1, repeats // 3))
        first_times, _ = spread(like_scan(url, term, 100), max(1, repeats // 3))
        out[name] = {"times": times, "rows": len(frame), "scan": scan_times, "scan_rows": n_all, "scan100": first_times}
    return out


# --- recording -----------------------------------------------------------------------------------
def _install_trigger(store: Any) -> None:
    """The design not taken (SQLite): each event indexed by a trigger as it is inserted."""
    conn = store.connect()
    try:
        conn.execute(
            "CREATE VIRTUAL TABLE IF NOT EXISTS search_fts USING fts5(text, content='', "
            "tokenize='trigram case_sensitive 0', detail=none, columnsize=0)"
        )
        conn.execute(
            "CREATE TRIGGER search_on_insert AFTER INSERT ON events BEGIN "
            f"INSERT INTO search_fts (rowid, text) VALUES (new.seq, "
            f"{INDEXED_TEXT_SQL.replace('name', 'new.name').replace('content', 'new.content').replace('summary', 'new.summary')}); END"
        )
    finally:
        conn.close()


def _install_expression_index(store: Any) -> None:
    """The design not taken (PostgreSQL): a pg_trgm GIN index on the events' text itself."""
    conn = store.connect()
    try:
        conn.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public")
        ext = conn.execute(
            "SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'pg_trgm'"
        ).fetchone()[0]
        conn.execute(f"CREATE INDEX search_expression ON events USING gin (({INDEXED_TEXT_SQL}) {ext}.gin_trgm_ops)")
    finally:
        conn.close()


def record_once(url: str, work: list[Any], mode: str) -> dict[str, float]:
    """Log ``work`` through a client and flush: events/s; with the index on, also the seconds until the
    writer has indexed all of it after the flush."""
    store = open_store(url)
    conn = store.connect()
    try:
        with store.transaction(conn) as cur:
            cur.execute(
                store.translate("UPDATE search_state SET kept = ? WHERE name = 'events'"), (int(mode == "index"),)
            )
    finally:
        conn.close()
    if mode == "trigger":
        _install_trigger(store)
    elif mode == "expression":
        _install_expression_index(store)
    client = openreward_nb.OpenReward(store=store)
    total = sum(len(items) for items in work)
    start = time.perf_counter()
    for r, items in enumerate(work):
        rollout = client.rollout.create("bench", rollout_name=f"r{r}")
        for msg, reward, finished in items:
            rollout.log(msg, reward=reward, is_finished=finished)
    client.rollout.flush()
    elapsed = time.perf_counter() - start
    out = {"rate": total / elapsed}
    if mode == "index":
        index = index_for(store)
        waited = time.perf_counter()
        while index.state().missing > 0 and time.perf_counter() - waited < 300:
            time.sleep(0.05)
        out["catch_up_s"] = time.perf_counter() - waited
    client.close()
    close_store(store)
    return out


def measure_recording(
    target: Callable[[str], str], work: list[Any], rounds: int, modes: tuple[str, ...]
) -> dict[str, Any]:
    """Each mode ``rounds`` times, alternating (so all meet the same machine load), each into a fresh store."""
    runs: dict[str, list[dict[str, float]]] = {m: [] for m in modes}
    for k in range(rounds):
        for mode in modes:
            runs[mode].append(record_once(target(f"{mode}-{k}"), work, mode))
    return runs


# --- report -------------------------------------------------------------------------------------
def ms(values: list[float]) -> str:
    return f"{statistics.median(values) * 1000:8.1f} ms ({min(values) * 1000:.1f}-{max(values) * 1000:.1f})"


def query_lines(label: str, res: dict[str, Any]) -> dict[str, float]:
    """Print one backend's query figures; return the medians and ratios the checks read."""
    figures: dict[str, float] = {}
    built = "index present" if res["build_s"] is None else f"index built on first use in {res['build_s']:.1f} s"
    ratio = res["index_bytes"] / res["text_bytes"]
    print(
        f"\n  {label}: {built}; index {res['index_bytes'] / 2**20:,.0f} MB for {res['text_bytes'] / 2**20:,.0f} MB of text, {ratio:.2f}x (target <= 1.5)"
    )
    if res["copy_bytes"]:
        total = (res["index_bytes"] + res["copy_bytes"]) / res["text_bytes"]
        print(
            f"    plus the text copy pg_trgm indexes: {res['copy_bytes'] / 2**20:,.0f} MB ({res['copy_bytes'] / res['text_bytes']:.2f}x; index and copy {total:.2f}x)"
        )
    figures["size_ratio"] = ratio
    for name in TERMS:
        q = res[name]
        median, scan = statistics.median(q["times"]), statistics.median(q["scan"])
        figures[f"{name}_s"], figures[f"{name}_speedup"] = median, scan / median
        print(
            f"    {name:6} {TERMS[name]!r:15} first {q['rows']:>3} matches {ms(q['times'])}   "
            f"LIKE scan (all {q['scan_rows']:,}) {ms(q['scan'])}   {scan / median:7.1f}x faster   "
            f"LIKE ... LIMIT 100 {ms(q['scan100'])}"
        )
    return figures


def recording_lines(label: str, runs: dict[str, list[dict[str, float]]]) -> dict[str, float]:
    med = {m: statistics.median(r["rate"] for r in rs) for m, rs in runs.items()}
    out = {}
    base = med["off"]
    print(f"\n  {label} recording (log + flush), median of {len(runs['off'])} runs each, alternating:")
    rates = ", ".join(f"{r['rate']:,.0f}" for r in runs["off"])
    print(f"    index off          {base:10,.0f} events/s   ({rates})")
    for mode in [m for m in runs if m != "off"]:
        rates = ", ".join(f"{r['rate']:,.0f}" for r in runs[mode])
        print(f"    {mode:18} {med[mode]:10,.0f} events/s   ({rates})   {med[mode] / base:5.2f}x of index off")
        out[mode] = med[mode] / base
    catch = [r["catch_up_s"] for r in runs["index"]]
    print(f"    index caught up {statistics.median(catch):.2f} s after the flush ({min(catch):.2f}-{max(catch):.2f})")
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rollouts", type=int, default=10_000)
    parser.add_argument("--events", type=int, default=100, help="events per rollout")
    parser.add_argument("--repeats", type=int, default=9, help="timed runs of each search (the median counts)")
    parser.add_argument("--rounds", type=int, default=3, help="recording runs of each kind")
    parser.add_argument("--record", type=int, default=40_000, help="events logged per recording run")
    parser.add_argument(
        "--quick", action="store_true", help="200 rollouts x 50 events: figures printed, no time target checked"
    )
    parser.add_argument("--keep", type=Path, help="SQLite store to reuse (built there when missing)")
    parser.add_argument(
        "--pg", default=os.environ.get(PG_ENV), help=f"PostgreSQL server URL (default ${PG_ENV}; none: SQLite only)"
    )
    parser.add_argument("--check", action="store_true", help="exit 1 if a target is missed")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()
    if args.quick:
        args.rollouts, args.events, args.repeats, args.rounds, args.record = 200, 50, 3, 1, 2_000
    res: dict[str, Any] = {}
    schemas: list[str] = []
    with tempfile.TemporaryDirectory(prefix="orbnb-search-") as tmp:
        path = args.keep or Path(tmp) / "bench.sqlite"
        if not path.exists():
            res["build_s"] = build_store(path, args.rollouts, args.events)
            add_needles(str(path), args.rollouts, args.events)
        res["sqlite"] = measure_queries(str(path), args.repeats)
        rollouts = max(1, args.record // 1000)
        work = workload(openreward_nb, rollouts, args.record // rollouts, make_pool())
        res["sqlite_recording"] = measure_recording(
            lambda name: str(Path(tmp) / f"rec-{name}.sqlite"), work, args.rounds, ("off", "index", "trigger")
        )
        if args.pg:
            admin = pg_admin(args.pg)
            try:
                schema = f"orbnb_search_{os.getpid()}_{uuid.uuid4().hex[:6]}"
                schemas.append(schema)
                admin.execute(f'CREATE SCHEMA "{schema}"')
                url = pg_schema_url(args.pg, schema)
                build_store(url, args.rollouts, args.events)
                add_needles(url, args.rollouts, args.events)
                res["postgres"] = measure_queries(url, args.repeats)

                def pg_target(name: str) -> str:
                    fresh = f"{schema}_{name.replace('-', '_')}"
                    schemas.append(fresh)
                    admin.execute(f'CREATE SCHEMA "{fresh}"')
                    return pg_schema_url(args.pg, fresh)

                res["postgres_recording"] = measure_recording(
                    pg_target, work, args.rounds, ("off", "index", "expression")
                )
            finally:
                for schema in schemas:
                    admin.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
                admin.close()
    return report(res, args)


def report(res: dict[str, Any], args: argparse.Namespace) -> int:
    events = args.rollouts * args.events + NEEDLE_ROLLOUTS * args.events
    print(
        f"\nsearch benchmark: {events:,} events ({args.rollouts:,} rollouts x {args.events} + {NEEDLE_ROLLOUTS} with the rare term)"
    )
    lite = query_lines("SQLite (FTS5 trigram, contentless, detail=none)", res["sqlite"])
    rec = recording_lines("SQLite", res["sqlite_recording"])
    checks = [
        ("rare term found in each needle rollout", res["sqlite"]["rare"]["rows"] == NEEDLE_ROLLOUTS),
        ("SQLite index <= 1.5x the text", lite["size_ratio"] <= 1.5),
    ]
    timed = [
        ("SQLite rare term's first 100 <= 100 ms", lite["rare_s"] <= 0.1),
        ("SQLite common term's first 100 <= 300 ms", lite["common_s"] <= 0.3),
        ("SQLite rare term >= 20x faster than a LIKE scan", lite["rare_speedup"] >= 20),
        ("SQLite common term >= 20x faster than a LIKE scan", lite["common_speedup"] >= 20),
        ("SQLite recording with the index kept >= 0.8x without", rec["index"] >= 0.8),
    ]
    if "postgres" in res:
        pg = query_lines("PostgreSQL (pg_trgm GIN on a copy of the text, punctuation spelled)", res["postgres"])
        pg_rec = recording_lines("PostgreSQL", res["postgres_recording"])
        checks += [
            ("PostgreSQL rare term found in each needle rollout", res["postgres"]["rare"]["rows"] == NEEDLE_ROLLOUTS),
            ("PostgreSQL index <= 1.5x the text", pg["size_ratio"] <= 1.5),
        ]
        print(
            "\n  PostgreSQL / SQLite: "
            + "   ".join(f"{n} {pg[f'{n}_s'] / lite[f'{n}_s']:.2f}x" for n in TERMS)
            + " (target <= 3)"
        )
        timed += [(f"PostgreSQL {n} term <= 3x the SQLite time", pg[f"{n}_s"] <= 3 * lite[f"{n}_s"]) for n in TERMS]
        timed.append(("PostgreSQL recording with the index kept >= 0.8x without", pg_rec["index"] >= 0.8))
    else:
        print(f"\n  PostgreSQL: not measured (give --pg URL or set ${PG_ENV})")
    if args.quick:
        print(f"\n  quick run: not checked (too small to time): {'; '.join(n for n, _ in timed)}")
    else:
        checks += timed
    return finish(checks, res, args)


if __name__ == "__main__":
    sys.exit(main())
