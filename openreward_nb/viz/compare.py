"""Two rollouts side by side: two timelines whose scroll positions follow each other by model turn."""

from __future__ import annotations

from collections.abc import Iterable

import ipywidgets as widgets

from ..events import MODEL_SIDE_TYPES
from ..records import EventRecord, RolloutRecord
from .timeline import TimelineWidget

#: model turns in the static side-by-side rendering
STATIC_TURNS = 8


def by_turn(events: Iterable[EventRecord], turns: int) -> dict[int, list[EventRecord]]:
    """Events grouped by model turn (0 = before the first model event), up to turn ``turns``."""
    groups: dict[int, list[EventRecord]] = {}
    turn, model_side = 0, False
    for ev in events:
        is_model = ev.type in MODEL_SIDE_TYPES
        if is_model and not model_side:
            turn += 1
            if turn > turns:
                break
        model_side = is_model
        groups.setdefault(turn, []).append(ev)
    return groups


def turn_pairs(
    a: RolloutRecord, b: RolloutRecord, turns: int = STATIC_TURNS
) -> list[tuple[int, list[EventRecord], list[EventRecord]]]:
    """[(turn, a's events in it, b's events in it)] for the first ``turns`` turns (events clipped to 40 a side)."""
    left = by_turn(a.events(0, 400), turns)
    right = by_turn(b.events(0, 400), turns)
    return [(t, left.get(t, [])[:40], right.get(t, [])[:40]) for t in sorted(set(left) | set(right))]


#: the compare widget's switch: its two timelines, or the step diff
MODES = ("side by side", "step diff")


def compare_widget(a: RolloutRecord, b: RolloutRecord) -> widgets.VBox:
    """Two compact timelines in a row, their ``anchor`` (the turn at the top) linked in the browser;
    a switch above them turns to the step diff (aligned when first asked for)."""
    left, right = TimelineWidget(a, compact=True), TimelineWidget(b, compact=True)
    widgets.jslink((left, "anchor"), (right, "anchor"))
    for side in (left, right):
        side.layout = widgets.Layout(width="50%", min_width="0")
    box = widgets.HBox([left, right], layout=widgets.Layout(width="100%"))  # its gap: .orw-compare in timeline.css
    box.add_class("orw-compare")
    box.add_class("orw-live")
    switch = widgets.ToggleButtons(options=MODES, value=MODES[0])
    switch.add_class("orw-compare-switch")
    outer = widgets.VBox([switch, box], layout=widgets.Layout(width="100%"))
    outer.add_class("orw-live")
    made: list[widgets.Widget] = []

    def flip(change: dict[str, object]) -> None:
        if change["new"] == MODES[1] and not made:
            from ..alignment import align
            from .diffwidget import DiffWidget

            made.append(DiffWidget(align(a, b)))
        outer.children = [switch, made[0] if change["new"] == MODES[1] else box]

    switch.observe(flip, "value")
    return outer
