"""Preference pairs for DPO: two rollouts of the same task, one chosen over the other by reward, score or label.

Each line of the JSONL file is one pair in the conversational preference format TRL's
``DPOTrainer`` reads (https://huggingface.co/docs/trl/dataset_formats, "Preference"):
``{"prompt": [messages], "chosen": [messages], "rejected": [messages]}``. The prompt is the
opening both conversations share; ``chosen`` and ``rejected`` are the rest of each (assistant
turns, tool calls and tool results), rebuilt from the events as ``to_chat_messages`` does.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Callable, Hashable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from ..errors import InvalidArgumentError
from ..records import RolloutRecord
from ..store.base import ROLLOUT_COLUMNS, Store
from ..store.location import StoreSpec, open_store
from .chat import anthropic_messages, check_format, openai_messages
from .filters import Runs, Where, check_reward_column, rollout_where
from .pages import rollout_pages
from .tasks.read import keyed_rollouts

#: how the chosen rollout is told from the rejected one, besides ``label:NAME``
MEASURES = ("reward", "score")
#: ``pairs``: one pair per task (the best and the worst), or every pair that qualifies
PAIRINGS = ("best_worst", "all")
LABEL_PREFIX = "label:"

#: ``by=`` as a function: the task of a rollout record (None: it has none)
TaskKey = Callable[[RolloutRecord], Hashable | None]


@dataclass(frozen=True)
class _Choice:
    """What decides a pair: a measure (``reward``, ``score``), or labels (chosen, rejected or None: the rest)."""

    measure: str | None
    chosen_label: str | None = None
    rejected_label: str | None = None


def _label_of(text: str, what: str) -> str:
    label = text[len(LABEL_PREFIX) :].strip()
    if not label:
        raise InvalidArgumentError(f"{what}={text!r}: name the label after 'label:'")
    return label


def check_choice(chosen: str, rejected: str | None, min_gap: float) -> _Choice:
    """The pair rule ``chosen`` / ``rejected`` name; InvalidArgumentError says what is accepted."""
    if not isinstance(min_gap, (int, float)) or isinstance(min_gap, bool) or not math.isfinite(min_gap) or min_gap < 0:
        raise InvalidArgumentError(f"min_gap must be a finite number of at least 0, got {min_gap!r}")
    if isinstance(chosen, str) and chosen.startswith(LABEL_PREFIX):
        if min_gap:
            raise InvalidArgumentError("min_gap compares rewards or scores; with chosen='label:...' it does not apply")
        if rejected is not None and not (isinstance(rejected, str) and rejected.startswith(LABEL_PREFIX)):
            raise InvalidArgumentError(
                f"rejected={rejected!r}: give 'label:NAME', or None for the task's other rollouts"
            )
        return _Choice(None, _label_of(chosen, "chosen"), None if rejected is None else _label_of(rejected, "rejected"))
    if chosen not in MEASURES:
        raise InvalidArgumentError(f"chosen={chosen!r}: give 'reward', 'score' or 'label:NAME'")
    if rejected is not None:
        raise InvalidArgumentError("rejected names a label; it goes with chosen='label:NAME'")
    return _Choice(chosen)


@dataclass
class _Rollout:
    record: RolloutRecord
    #: the measure the pair rule ranks by (reward or score; reward for label rules), None if it has none
    value: float | None
    labels: frozenset[str]


def _records(store: Store, where: Where) -> Iterator[RolloutRecord]:
    select = ", ".join(f"r.{c}" for c in ROLLOUT_COLUMNS)
    for page in rollout_pages(store, select, where):
        for row in page:
            yield RolloutRecord.from_row(dict(zip(ROLLOUT_COLUMNS, row[: len(ROLLOUT_COLUMNS)], strict=True)), store)


def _tasks(store: Store, where: Where, by: str | TaskKey | None, records: list[RolloutRecord]) -> dict[str, Any]:
    """Each rollout's task (None: it has none): ``by`` applied to its record when a function, else the
    task key of ``tasks_df`` (:mod:`.tasks.key`), read from the store."""
    if callable(by):
        return {record.id: by(record) for record in records}
    keyed = keyed_rollouts(store, where, by)
    return {rid: None if pd.isna(task) else task for rid, task in zip(keyed["rollout_id"], keyed["task"], strict=True)}


def _scores(store: Store) -> dict[str, float]:
    """Each rollout's mean score, over the scores it was given as a whole."""
    sql = "SELECT rollout_id, AVG(score) FROM annotations WHERE idx IS NULL AND score IS NOT NULL GROUP BY rollout_id"
    return {rid: float(mean) for rid, mean in store.query(sql)}


def _labels(store: Store, labels: Sequence[str]) -> dict[str, set[str]]:
    """Which of ``labels`` each rollout was given as a whole."""
    sql = f"SELECT rollout_id, label FROM annotations WHERE idx IS NULL AND label IN ({', '.join('?' * len(labels))})"
    found: dict[str, set[str]] = {}
    for rid, label in store.query(store.translate(sql), list(labels)):
        found.setdefault(rid, set()).add(label)
    return found


def _best_first(group: list[_Rollout]) -> list[_Rollout]:
    """Highest value first (missing values last); equal values in creation order."""
    return sorted(group, key=lambda r: (r.value is None, -(r.value or 0.0), r.record.seq))


def _worst_first(group: list[_Rollout]) -> list[_Rollout]:
    """Lowest value first (missing values last); equal values in creation order."""
    return sorted(group, key=lambda r: (r.value is None, r.value or 0.0, r.record.seq))


def _pairs(group: list[_Rollout], choice: _Choice, min_gap: float, pairing: str) -> list[tuple[_Rollout, _Rollout]]:
    """(chosen, rejected) pairs of one task's rollouts, best pair first."""
    if choice.measure is not None:
        ranked = [r for r in _best_first(group) if r.value is not None]
        if pairing == "best_worst":
            candidates = [(ranked[0], ranked[-1])] if ranked else []
        else:
            candidates = [(a, b) for i, a in enumerate(ranked) for b in ranked[i + 1 :]]
        return [(a, b) for a, b in candidates if _gap(a, b) > 0 and _gap(a, b) >= min_gap]
    good_label, bad_label = choice.chosen_label, choice.rejected_label
    good = [r for r in group if good_label in r.labels and bad_label not in r.labels]
    if bad_label is None:
        bad = [r for r in group if good_label not in r.labels]
    else:
        bad = [r for r in group if bad_label in r.labels and good_label not in r.labels]
    good, bad = _best_first(good), _worst_first(bad)
    if not good or not bad:
        return []
    return [(good[0], bad[0])] if pairing == "best_worst" else [(a, b) for a in good for b in bad]


def _gap(a: _Rollout, b: _Rollout) -> float:
    return (a.value or 0.0) - (b.value or 0.0)


def _conversation(record: RolloutRecord, format: str) -> tuple[str | None, list[dict[str, Any]]]:
    if format == "openai":
        return None, openai_messages(record.events())
    return anthropic_messages(record.events())


def _shared_opening(a: list[dict[str, Any]], b: list[dict[str, Any]]) -> int:
    n = 0
    while n < len(a) and n < len(b) and a[n] == b[n]:
        n += 1
    return n


def preference_line(
    chosen: tuple[str | None, list[dict[str, Any]]], rejected: tuple[str | None, list[dict[str, Any]]]
) -> dict[str, Any] | None:
    """One pair as ``{"prompt", "chosen", "rejected"}`` (and ``"system"``, Anthropic's); None when the two
    conversations share no opening (different prompts) or one holds nothing beyond it."""
    (system, good), (other_system, bad) = chosen, rejected
    if system != other_system:
        return None
    n = _shared_opening(good, bad)
    if n == 0 or n == len(good) or n == len(bad):
        return None
    line: dict[str, Any] = {"prompt": good[:n], "chosen": good[n:], "rejected": bad[n:]}
    return {"system": system, **line} if system else line


def export_preferences(
    runs: Runs,
    path: str | os.PathLike[str],
    *,
    by: str | TaskKey | None = None,
    chosen: str = "reward",
    rejected: str | None = None,
    min_gap: float = 0.0,
    pairs: str = "best_worst",
    reward: str = "total_reward",
    format: str = "openai",
    keep_ids: bool = False,
    store: StoreSpec = None,
    **filters: Any,
) -> int:
    """Write preference pairs of rollouts of the same task, one per line, for DPO; returns how many.

    Rollouts of ``runs`` matching ``filters`` (those of :func:`rollouts_df`: pass
    ``status="finished"`` to leave out rollouts still running) are grouped by task:
    ``by=None`` is the task key (``task_spec``'s id / task_id / name, else the whole
    ``task_spec``, else ``rollout_info.task_index``, as :func:`tasks_df` keys them; rollouts
    without one are left out), a ``rollouts_df`` column (``metadata.prompt_id``, ``environment``...),
    or a function of a :class:`RolloutRecord`. Within a task, ``chosen`` decides:

    - ``"reward"``: the higher ``reward`` (``total_reward``, ``final_reward`` or
      ``max_reward``) is chosen, when it beats the other by more than 0 and by at least
      ``min_gap``;
    - ``"score"``: the same with each rollout's mean annotation score;
    - ``"label:NAME"``: rollouts labelled NAME are chosen over those labelled
      ``rejected="label:OTHER"`` (default: the task's rollouts without NAME).

    ``pairs="best_worst"`` writes one pair per task (the best against the worst); ``"all"``
    every pair that qualifies. Lines follow TRL's conversational preference format:
    ``prompt`` is the opening both conversations share, ``chosen`` / ``rejected`` the rest
    of each (``format="anthropic"``: Messages API messages, with ``system`` apart). Pairs
    whose conversations share no opening are skipped. ``keep_ids`` adds
    ``chosen_rollout_id``, ``rejected_rollout_id`` and ``task`` to each line.
    """
    check_format(format)
    check_reward_column(reward)
    if pairs not in PAIRINGS:
        raise InvalidArgumentError(f"pairs={pairs!r}: give one of {', '.join(PAIRINGS)}")
    choice = check_choice(chosen, rejected, min_gap)
    source = open_store(store, read_only=True)
    where = rollout_where(source, runs, filters, reward)
    with source.snapshot():
        records = list(_records(source, where))
        tasks = _tasks(source, where, by, records)
        scores = _scores(source) if choice.measure == "score" else {}
        wanted = [label for label in (choice.chosen_label, choice.rejected_label) if label is not None]
        labels = _labels(source, wanted) if wanted else {}
    groups: dict[Any, list[_Rollout]] = {}
    for record in records:
        task = tasks.get(record.id)
        if task is None:
            continue
        value = scores.get(record.id) if choice.measure == "score" else getattr(record, reward)
        groups.setdefault(task, []).append(_Rollout(record, value, frozenset(labels.get(record.id, ()))))
    written = 0
    with open(path, "w", encoding="utf-8") as out:
        for task, group in groups.items():
            conversations: dict[str, tuple[str | None, list[dict[str, Any]]]] = {}
            for good, bad in _pairs(group, choice, float(min_gap), pairs):
                for r in (good, bad):
                    if r.record.id not in conversations:
                        conversations[r.record.id] = _conversation(r.record, format)
                line = preference_line(conversations[good.record.id], conversations[bad.record.id])
                if line is None:
                    continue
                if keep_ids:
                    line.update(chosen_rollout_id=good.record.id, rejected_rollout_id=bad.record.id, task=task)
                out.write(json.dumps(line, ensure_ascii=False, default=str) + "\n")
                written += 1
    return written
