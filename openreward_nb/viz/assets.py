"""The views' browser code as it is sent: a view's ES module joined after the shared code it draws with.

anywidget loads one module a widget and a module it loads cannot import a sibling file, so what two
views draw alike (``events.js``: the helpers, the kernel round trip, the event cards) is one file
put in front of each view's module here. The widgets and the one-file HTML report both read their
modules through :func:`module`; the widgets' styles, the shared theme first, through :func:`stylesheet`.
"""

from __future__ import annotations

from importlib.resources import files

#: the shared files each view's module draws with, joined before it in this order
USES: dict[str, tuple[str, ...]] = {
    "timeline.js": ("events.js",),
    "diff.js": ("events.js",),
}


def _text(name: str) -> str:
    return files("openreward_nb.viz").joinpath(name).read_text(encoding="utf-8")


def module(name: str) -> str:
    """The ES module ``name`` (a file in ``openreward_nb/viz``) as the browser gets it."""
    return "\n".join([*(_text(shared) for shared in USES.get(name, ())), _text(name)])


def stylesheet(*names: str) -> str:
    """The shared theme followed by the stylesheets ``names`` (files in ``openreward_nb/viz``), as one."""
    return "".join(_text(name) for name in ("theme.css", *names))
