"""A rollout named by a person: id, unique id prefix, RUN/ROLLOUT_NAME (latest), or a name one run has."""

from __future__ import annotations

import uuid

import pytest

import openreward_nb as orn
from openreward_nb import AmbiguousIdError, NotFoundError, OpenReward, UserMessage


def _record(client: OpenReward, run: str, name: str | None, rollout_id: str | None = None) -> str:
    api = client.rollout
    if rollout_id is None:
        r = api.create(run, rollout_name=name)
    else:
        real = uuid.uuid4
        uuid.uuid4 = lambda: rollout_id  # type: ignore[assignment]
        try:
            r = api.create(run, rollout_name=name)
        finally:
            uuid.uuid4 = real
    r.log(UserMessage(f"{run}/{name}"), reward=1.0, is_finished=True)
    client.rollout.flush()
    return r.id


def test_every_form_of_reference(client) -> None:
    first = _record(client, "quickstart", "episode-0")
    latest = _record(client, "quickstart", "episode-0")  # the demo, run twice
    slashed = _record(client, "team/ctf", "worker-1/task-0")  # slashes in run and rollout names
    get = client.rollouts.get
    assert get(first).id == first and get(first[:8]).id == first
    assert get("quickstart/episode-0").id == latest
    assert get("episode-0").id == latest  # a name alone, when one run has it
    assert get("team/ctf/worker-1/task-0").id == slashed
    assert get("worker-1/task-0").id == slashed
    assert orn.to_chat_messages("quickstart/episode-0", store=client.store)[0]["content"] == "quickstart/episode-0"
    view = orn.compare("quickstart/episode-0", first, store=client.store)
    assert (view.a.id, view.b.id) == (latest, first)


def test_ambiguous_references_name_the_candidates(client) -> None:
    _record(client, "a", "episode-0")
    _record(client, "b", "episode-0")
    with pytest.raises(AmbiguousIdError, match=r"is a rollout name in several runs: a/episode-0 .*b/episode-0"):
        client.rollouts.get("episode-0")
    one = _record(client, "p", "x", rollout_id="abcdef-1")
    two = _record(client, "p", "y", rollout_id="abcdef-2")
    with pytest.raises(AmbiguousIdError, match=f"start of several rollout ids: {one} \\(p/x\\), {two} \\(p/y\\)"):
        client.rollouts.get("abcdef")
    # a run "r" with rollout "s/t" and a run "r/s" with rollout "t": the same words, two rollouts
    _record(client, "r", "s/t")
    _record(client, "r/s", "t")
    with pytest.raises(AmbiguousIdError, match="names rollouts in several runs"):
        client.rollouts.get("r/s/t")


def test_prefixes_are_literal_and_unknown_references_say_what_is_accepted(client) -> None:
    _record(client, "p", "x", rollout_id="ab_def-1")
    _record(client, "p", "y", rollout_id="abXdef-2")
    assert client.rollouts.get("ab_def").rollout_name == "x"  # "_" is not a wildcard
    with pytest.raises(NotFoundError, match="RUN/ROLLOUT_NAME"):
        client.rollouts.get("ab%")
    with pytest.raises(NotFoundError, match="no rollout 'nope/x'"):
        client.rollouts.get("nope/x")
