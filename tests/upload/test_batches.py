"""Request bodies cut from encoded events: each batch in flight holds its events once, and cutting it
smaller (a 413, a refusal) still gives the same events in the same order."""

from __future__ import annotations

import json

from openreward_nb.upload.batches import EVENTS, Batch, Chunk


def _chunk(rollout: str, n: int, start: int = 0) -> Chunk:
    parts = [json.dumps({"rollout": rollout, "index": i, "text": "é" * 300}).encode() for i in range(start, start + n)]
    return Chunk(rollout, EVENTS, parts, list(range(start, start + n)), (start, start), start)


def _events(body: bytes) -> list[tuple[str, int]]:
    return [(e["rollout"], e["index"]) for e in json.loads(body)["events"]]


def test_a_built_body_holds_the_events_once() -> None:
    batch = Batch([_chunk("a", 5), _chunk("b", 3)])
    body = batch.body()
    assert _events(body) == [("a", i) for i in range(5)] + [("b", i) for i in range(3)]
    for chunk in batch.chunks:
        for part in chunk.parts:
            assert isinstance(part, memoryview) and part.obj is body  # a view, not a second copy
    assert batch.body() is body  # built once, whatever the retries


def test_a_sent_batch_cut_smaller_sends_the_same_events() -> None:
    whole = Batch([_chunk("a", 7)])
    whole.body()
    first, second = whole.split()  # one rollout's run: cut in two halves
    assert _events(first.body()) == [("a", i) for i in range(3)]
    assert _events(second.body()) == [("a", i) for i in range(3, 7)]
    assert first.chunks[0].after == second.chunks[0].before == (3, 3)
    mixed = Batch([_chunk("a", 2), _chunk("b", 2)])
    mixed.body()
    assert [_events(part.body()) for part in mixed.split()] == [[("a", 0), ("a", 1)], [("b", 0), ("b", 1)]]
    lone = Batch([_chunk("a", 1)])
    lone.body()
    assert lone.split() == []  # one event cannot be cut
