"""PostgreSQL store benchmark: durable ingest with 1 and 4 writer processes, and reads of 1,000,000 events.

Each number is printed beside the same work on the SQLite store in the same run, and
beside the floor: a bare ``COPY`` of the same rows into the same table (ingest), a bare
``COPY ... TO STDOUT`` of the same rows (reads). Every measurement runs in a fresh
schema of the given database, dropped afterwards. Targets, each against a baseline of
the same run: ingest with 4 writers at least half the floor; ``events_df`` of every
event within 1.5x of the COPY floor (best of ``--repeats``, taken in turn);
``events_arrow`` streaming every event with a peak RSS growth of at most 4 pages' worth;
``rollouts_df`` of 10,000 rollouts within 0.3 s on PostgreSQL and on SQLite.
``--check`` exits 1 when one is missed.

    python benchmarks/bench_postgres.py --url postgresql://user:pass@host/db     # 1,000,000 events
    python benchmarks/bench_postgres.py --quick                                  # a small smoke run (checks none)

The URL defaults to ``$OPENREWARD_NB_TEST_PG_URL``.
"""

from __future__ import annotations

import argparse
import gc
import multiprocessing as mp
import os
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _workload import finish, make_pool, workload
from bench_frames import STREAM_PAGE, STREAM_PAGES, build_store, stream_line, stream_memory

import openreward_nb
from openreward_nb.events import event_from_message
from openreward_nb.store import close_store, open_store, schema
from openreward_nb.store.base import ROLLOUT_COLUMNS
from openreward_nb.store.ops import EventOp, plan_batch

BATCH = 2_000
#: rollouts in the store rollouts_df is timed on (issue 22), of a few events each
ROLLOUTS_DF = 10_000
#: seconds rollouts_df of ROLLOUTS_DF rollouts may take
ROLLOUTS_DF_S = 0.3
#: events_df may take this many times the COPY floor of the same rows
EVENTS_DF_FLOOR = 1.5


# --- stores ------------------------------------------------------------------------------
@contextmanager
def pg_schema(url: str, name: str) -> Iterator[str]:
    """A store URL in a new schema of the database at ``url``, dropped afterwards."""
    import psycopg

    schema_name = f"ornb_bench_{os.getpid()}_{name}_{uuid.uuid4().hex[:6]}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema_name}"')
    try:
        yield f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{schema_name}"
    finally:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema_name}" CASCADE')


# --- ingest ------------------------------------------------------------------------------
def _writer(url: str, work, ready, results) -> None:
    """One writer process: open the store, wait for the start, log its share, flush."""
    client = openreward_nb.OpenReward(store=url)
    _ = client.store  # connect and migrate before the clock starts
    ready.wait()
    for r, items in work:
        rollout = client.rollout.create("bench", rollout_name=f"r{r}")
        log = rollout.log
        for msg, reward, finished in items:
            log(msg, reward=reward, is_finished=finished)
    client.rollout.flush()
    results.put(sum(len(items) for _, items in work))
    client.close()


def ingest(url: str, work, writers: int) -> float:
    """Events per second, durable, with ``writers`` processes sharing ``work`` (from start to last flush)."""
    close_store(open_store(url))  # the schema exists before the writers start, as on a shared server
    ctx = mp.get_context("fork")
    ready, results = ctx.Barrier(writers + 1), ctx.Queue()
    shares = [list(enumerate(work))[k::writers] for k in range(writers)]
    procs = [ctx.Process(target=_writer, args=(url, share, ready, results)) for share in shares]
    for p in procs:
        p.start()
    gc.collect()
    ready.wait()
    start = time.perf_counter()
    total = sum(results.get(timeout=3600) for _ in procs)
    elapsed = time.perf_counter() - start
    for p in procs:
        p.join()
        assert p.exitcode == 0, f"a writer failed ({p.exitcode})"
    store = open_store(url)
    stored = store.query("SELECT COUNT(*), SUM(n_events) FROM rollouts")[0]
    assert total == sum(len(items) for items in work) and tuple(map(int, stored)) == (len(work), total), stored
    close_store(store)
    return total / elapsed


def event_rows(work) -> list[tuple]:
    """The event rows our writer inserts for ``work``."""
    ops = [
        EventOp(f"rollout-{r:05d}", i, time.time(), event_from_message(msg), reward, finished, None)
        for r, items in enumerate(work)
        for i, (msg, reward, finished) in enumerate(items)
    ]
    return plan_batch(ops, {}).events


def copy_floor(url: str, rows: list[tuple]) -> float:
    """A bare COPY of the rows into the events table (same schema and indexes), committed: rows per second."""
    import psycopg

    close_store(open_store(url))
    sql = f"COPY events ({', '.join(schema.EVENT_COLUMNS)}) FROM STDIN"
    with psycopg.connect(url) as conn:
        gc.collect()
        start = time.perf_counter()
        with conn.cursor() as cur, cur.copy(sql) as copy:
            for row in rows:
                copy.write_row(row)
        conn.commit()
        return len(rows) / (time.perf_counter() - start)


# --- reads -------------------------------------------------------------------------------
def timed(fn: Callable[[], int]) -> tuple[float, int]:
    """(seconds, count) of one call of ``fn`` returning how many rows it read."""
    gc.collect()
    start = time.perf_counter()
    n = fn()
    return time.perf_counter() - start, n


def read_rollouts(url: str) -> int:
    """Every rollout through the store's paged read query."""
    store, n, after = open_store(url), 0, 0
    while page := store.rollouts_page(after_seq=after, limit=500):
        n += len(page)
        after = page[-1]["seq"]
    return n


def read_events(url: str) -> int:
    """Every event of every rollout through the store's paged read query."""
    store, n, after = open_store(url), 0, 0
    while page := store.rollouts_page(after_seq=after, limit=500):
        after = page[-1]["seq"]
        for rollout in page:
            start = 0
            while rows := store.events_page(rollout["id"], start=start, limit=1000):
                n += len(rows)
                start = rows[-1]["idx"] + 1
    return n


def frames_reader(name: str) -> Callable[[str], int] | None:
    """``rollouts_df`` / ``events_df`` of openreward_nb.frames as a reader, if pandas and the module are there."""
    try:
        from openreward_nb import frames
    except ImportError:
        return None
    fn = getattr(frames, name, None)
    return None if fn is None else (lambda url: len(fn(store=url)))


def copy_out(url: str, table: str, columns: tuple[str, ...]) -> int:
    """The floor: a bare COPY of the table's rows to the client; returns the row count."""
    import psycopg

    n = 0
    with psycopg.connect(url) as conn, conn.cursor() as cur:
        with cur.copy(f"COPY (SELECT {', '.join(columns)} FROM {table}) TO STDOUT") as copy:
            for _ in copy.rows():
                n += 1
    return n


def copy_bytes(url: str, table: str, columns: tuple[str, ...]) -> int:
    """The wire alone: a binary COPY of the table's rows, its bytes counted and not parsed."""
    import psycopg

    n = 0
    with psycopg.connect(url) as conn, conn.cursor() as cur:
        with cur.copy(f"COPY (SELECT {', '.join(columns)} FROM {table}) TO STDOUT (FORMAT binary)") as copy:
            for block in copy:
                n += len(block)
    return n


def best_in_turn(fns: dict[str, Callable[[], object]], repeats: int) -> dict[str, float]:
    """Fastest wall time of each function, called in turn ``repeats`` times (so all meet the same load)."""
    best = dict.fromkeys(fns, float("inf"))
    for _ in range(repeats):
        for name, fn in fns.items():
            gc.collect()
            start = time.perf_counter()
            fn()
            best[name] = min(best[name], time.perf_counter() - start)
    return best


def events_targets(url: str, repeats: int) -> dict[str, float]:
    """events_df of every event against the COPY floor and the wire alone, best of ``repeats`` in turn."""
    from openreward_nb.frames import events_df

    columns = tuple(c for c in schema.EVENT_COLUMNS if c != "raw")
    return best_in_turn(
        {
            "events_df": lambda: len(events_df(store=url)),
            "floor": lambda: copy_out(url, "events", columns),
            "wire": lambda: copy_bytes(url, "events", columns),
        },
        repeats,
    )


def rollouts_targets(url: str, sqlite_path: Path, rollouts: int, repeats: int) -> dict[str, float]:
    """rollouts_df of ``rollouts`` rollouts (4 events each) on PostgreSQL and SQLite, best of ``repeats`` in turn."""
    from openreward_nb.frames import rollouts_df

    build_store(url, rollouts, 4)
    build_store(sqlite_path, rollouts, 4)
    for store in (url, str(sqlite_path)):  # connections are open before the clocks start
        assert len(rollouts_df(store=store)) == rollouts
    best = best_in_turn(
        {
            "postgres": lambda: rollouts_df(store=url),
            "sqlite": lambda: rollouts_df(store=str(sqlite_path)),
            "floor": lambda: copy_out(url, "rollouts", ROLLOUT_COLUMNS),
        },
        max(repeats, 5),
    )
    return {**best, "rollouts": rollouts}


def reads(url: str, sqlite_url: str) -> dict[str, dict[str, float]]:
    """Seconds for each read on PostgreSQL, on SQLite, and the COPY floor."""
    readers = {"rollouts (store pages)": read_rollouts, "events (store pages)": read_events}
    for name in ("rollouts_df", "events_df"):
        fn = frames_reader(name)
        if fn is not None:
            readers[f"{name} (frames)"] = fn
    floors = {
        "rollouts": lambda: copy_out(url, "rollouts", ROLLOUT_COLUMNS),
        "events": lambda: copy_out(url, "events", tuple(c for c in schema.EVENT_COLUMNS if c != "raw")),
    }
    for warm in (url, sqlite_url):  # connections are open before the clocks start
        open_store(warm).query("SELECT 1")
    out = {}
    for name, fn in readers.items():
        pg_s, pg_n = timed(lambda fn=fn: fn(url))
        sq_s, sq_n = timed(lambda fn=fn: fn(sqlite_url))
        floor_s, floor_n = timed(floors[name.split()[0].split("_")[0]])
        assert pg_n == sq_n, f"{name}: {pg_n} rows on PostgreSQL, {sq_n} on SQLite"
        out[name] = {"rows": pg_n, "postgres_s": pg_s, "sqlite_s": sq_s, "floor_s": floor_s, "floor_rows": floor_n}
    return out


# --- main --------------------------------------------------------------------------------
def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default=os.environ.get("OPENREWARD_NB_TEST_PG_URL"), help="a PostgreSQL database")
    parser.add_argument("--rollouts", type=int, default=1000, help="rollouts in the 4-writer run (and read back)")
    parser.add_argument("--events", type=int, default=1000, help="events per rollout")
    parser.add_argument("--quick", action="store_true", help="40 rollouts x 100 events, 200 for rollouts_df, once")
    parser.add_argument("--repeats", type=int, default=3, help="timed runs of each targeted read (the best counts)")
    parser.add_argument("--check", action="store_true", help="exit 1 if a target is missed")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()
    if not args.url:
        parser.error("give --url postgresql://... or set OPENREWARD_NB_TEST_PG_URL")
    rollouts_df_n = ROLLOUTS_DF
    if args.quick:
        args.rollouts, args.events, args.repeats, rollouts_df_n = 40, 100, 1, 200
    work = workload(openreward_nb, args.rollouts, args.events, make_pool())
    single = work[: max(1, len(work) // 4)]
    res: dict[str, object] = {"events": len(work) * args.events, "events_single": len(single) * args.events}
    with tempfile.TemporaryDirectory(prefix="orbnb-bench-pg-") as tmp:
        folder = Path(tmp)
        with pg_schema(args.url, "w1") as url:
            res["pg_1"] = ingest(url, single, 1)
        res["sqlite_1"] = ingest(str(folder / "one.sqlite"), single, 1)
        with pg_schema(args.url, "floor") as url:
            rows = event_rows(work)
            res["floor"] = copy_floor(url, rows)
            del rows
        sqlite_url = str(folder / "four.sqlite")
        res["sqlite_4"] = ingest(sqlite_url, work, 4)
        with pg_schema(args.url, "w4") as url:
            res["pg_4"] = ingest(url, work, 4)
            res["reads"] = reads(url, sqlite_url)
            res["events_targets"] = events_targets(url, args.repeats)
            res["stream"] = stream_memory(url, STREAM_PAGE if not args.quick else 1_000)
        with pg_schema(args.url, "rollouts") as url:
            res["rollouts_targets"] = rollouts_targets(url, folder / "rollouts.sqlite", rollouts_df_n, args.repeats)
    return report(res, args)


def report(res: dict, args) -> int:
    floor = res["floor"]
    print(
        f"\nPostgreSQL store benchmark: {res['events']:,} events (~1.2 KB each), "
        f"{res['events_single']:,} for the single writer\n"
    )
    print("  durable ingest            PostgreSQL       SQLite    PG/SQLite   PG/floor")
    for n in (1, 4):
        pg, sq = res[f"pg_{n}"], res[f"sqlite_{n}"]
        label = f"{n} writer process{'es' if n > 1 else '  '}"
        print(f"  {label}      {pg:10,.0f}/s {sq:10,.0f}/s {pg / sq:10.2f} {pg / floor:10.2f}")
    print(f"  floor (bare COPY)     {floor:10,.0f}/s")
    print(
        f"\n  reads of {res['events']:,} events    PostgreSQL       SQLite    PG/SQLite   floor (bare COPY)   PG/floor"
    )
    for name, r in res["reads"].items():
        print(
            f"  {name:24} {r['postgres_s']:8.2f} s {r['sqlite_s']:10.2f} s {r['postgres_s'] / r['sqlite_s']:10.2f}"
            f" {r['floor_s']:12.2f} s {r['postgres_s'] / r['floor_s']:14.2f}   ({r['rows']:,} rows)"
        )
    ev = res["events_targets"]
    events_ratio = ev["events_df"] / ev["floor"]
    print(
        f"\n  events_df, best of {args.repeats}: {ev['events_df']:.2f} s; COPY floor (rows read by psycopg) "
        f"{ev['floor']:.2f} s; ratio {events_ratio:.2f} (target <= {EVENTS_DF_FLOOR}); "
        f"the wire alone (binary COPY, bytes not parsed) {ev['wire']:.2f} s"
    )
    stream = res["stream"]
    stream_ratio = stream_line(stream)
    ro = res["rollouts_targets"]
    print(
        f"  rollouts_df of {ro['rollouts']:,} rollouts: PostgreSQL {ro['postgres']:.3f} s, SQLite {ro['sqlite']:.3f} s "
        f"(target <= {ROLLOUTS_DF_S} s); COPY floor of the rollouts {ro['floor']:.3f} s"
    )
    checks = [("events_arrow streams every event", stream["rows"] == res["events"])]
    timed_checks = [  # speed and RSS are noise at a quick run's size
        ("ingest with 4 writers >= half the floor", res["pg_4"] / floor >= 0.5),
        (f"events_df within {EVENTS_DF_FLOOR}x of the COPY floor", events_ratio <= EVENTS_DF_FLOOR),
        (f"events_arrow peak RSS <= {STREAM_PAGES} pages", stream_ratio <= STREAM_PAGES),
        (f"rollouts_df of 10,000 rollouts <= {ROLLOUTS_DF_S} s on PostgreSQL", ro["postgres"] <= ROLLOUTS_DF_S),
        (f"rollouts_df of 10,000 rollouts <= {ROLLOUTS_DF_S} s on SQLite", ro["sqlite"] <= ROLLOUTS_DF_S),
    ]
    if args.quick:
        print(f"\n  quick run: not checked (too small to measure): {'; '.join(name for name, _ in timed_checks)}")
    else:
        checks += timed_checks
    return finish(checks, res, args)


if __name__ == "__main__":
    sys.exit(main())
