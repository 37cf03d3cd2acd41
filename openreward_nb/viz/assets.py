"""The views' browser code as it is sent: a view's ES module joined after the shared code it draws with.

anywidget loads one module a widget and a module it loads cannot import a sibling file, so what
views draw alike (``dom.js``: making elements, for all; ``events.js``: the kernel round trip and the
event cards) is one file put in front of each view's module here. The widgets and the one-file HTML
report both read their modules through :func:`module`; the widgets' styles, the shared theme first,
through :func:`stylesheet`.
"""

from __future__ import annotations

from importlib.resources import files

#: joined before every view's module: how views make elements
FIRST = "dom.js"
#: what else a view's module draws with, joined after :data:`FIRST` and before it, in this order
USES: dict[str, tuple[str, ...]] = {
    "timeline.js": ("events.js",),
    "diff.js": ("events.js",),
}


def _text(name: str) -> str:
    return files("openreward_nb.viz").joinpath(name).read_text(encoding="utf-8")


def prelude() -> str:
    """What every view's module starts with (:data:`FIRST`), for a script that draws alike without being one."""
    return _text(FIRST)


def module(name: str) -> str:
    """The ES module ``name`` (a file in ``openreward_nb/viz``) as the browser gets it."""
    return "\n".join(_text(part) for part in (FIRST, *USES.get(name, ()), name))


def stylesheet(*names: str) -> str:
    """The shared theme followed by the stylesheets ``names`` (files in ``openreward_nb/viz``), as one."""
    return "".join(_text(name) for name in ("theme.css", *names))
