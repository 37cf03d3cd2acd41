"""The report as one HTML file: the widgets' own drawing code and styles, the report's page code,
and the data, all inline; a Content-Security-Policy that lets only those scripts and that style
run and no request leave the page.

The widgets' ES modules (timeline.js, table.js, runcharts.js) are shipped as the widgets get them
(:func:`openreward_nb.viz.assets.module`: the timeline with the shared events.js before it), each
wrapped as a function returning what it exports; report.js gives them small in-page models that answer
from the embedded data. Data sits in non-script ``<script type="application/octet-stream">``
blocks of base64 (gzip-compressed JSON, or an image's bytes): nothing in them is markup.
"""

from __future__ import annotations

import base64
import hashlib
import re
from importlib.resources import files

from ..viz.assets import module, prelude
from .contents import Contents

#: the widgets' modules the report draws with, by the name report.js knows them under
MODULES = {"timeline": "timeline.js", "table": "table.js", "runcharts": "runcharts.js"}
#: the styles, in order: the widgets' (theme first), then the page's
STYLES = (
    "viz/theme.css",
    "viz/timeline.css",
    "viz/table.css",
    "viz/runcharts.css",
    "viz/labels.css",
    "reports/report.css",
)

_EXPORT = re.compile(r"^export default ", re.M)
_IMPORT = re.compile(r"^\s*import[\s{*]", re.M)


def _asset(path: str) -> str:
    return files("openreward_nb").joinpath(path).read_text(encoding="utf-8")


def module_as_function(source: str, name: str) -> str:
    """An ES module with one ``export default`` and no imports, as an expression giving what it exports."""
    if len(_EXPORT.findall(source)) != 1 or _IMPORT.search(source):
        raise ValueError(f"{name}: a report can inline a module with one `export default` and no import")
    return f"/* {name} */ (() => {{\n{_EXPORT.sub('return ', source)}\n}})()"


def script() -> str:
    """The page's one script: the widgets' modules, then report.js (after the views' shared ``dom.js``), which
    draws with them."""
    modules = ",\n".join(f"{key}: {module_as_function(module(path), path)}" for key, path in MODULES.items())
    return f"const MODULES = {{\n{modules}\n}};\n{prelude()}\n{_asset('reports/report.js')}"


def style() -> str:
    return "\n".join(_asset(path) for path in STYLES)


def _hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def policy(script_text: str, style_text: str) -> str:
    """The Content-Security-Policy: nothing may load from anywhere; only this script and this style
    apply; images only from the blob URLs the page makes of its own embedded bytes."""
    return (
        f"default-src 'none'; script-src {_hash(script_text)}; style-src {_hash(style_text)}; "
        "img-src blob:; base-uri 'none'; form-action 'none'"
    )


def _inert(text: str, what: str) -> str:
    """``text`` checked to be unable to end the element it goes in."""
    if re.search(r"</(script|style)|<!--", text, re.I):
        raise ValueError(f"{what} holds text that would end its element")
    return text


def _block(element_id: str, data: str) -> str:
    return f'<script type="application/octet-stream" id="{element_id}">{data}</script>\n'


def html(contents: Contents, title: str) -> str:
    """The whole file."""
    from ..viz.render import esc
    from .chunk import pack

    code = _inert(script(), "the page's script")
    css = _inert(style(), "the page's style")
    blocks = [_block("orw-index", pack(contents.index))]
    blocks += [_block(element, data) for element, data in contents.chunks.items()]
    blocks += [_block(f"orw-img{n}", data) for n, data in enumerate(contents.images)]
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{policy(code, css)}">\n'
        '<meta name="referrer" content="no-referrer">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{esc(title)}</title>\n<style>{css}</style>\n</head>\n<body>\n"
        '<main id="orw-report" class="orw-report"><p class="orw-report-loading">opening the report…</p>\n'
        "<noscript>This report draws its tables and timelines with JavaScript; turn it on for this file.</noscript>"
        "</main>\n"
        f"{''.join(blocks)}"
        f'<script type="module">{code}</script>\n</body>\n</html>\n'
    )
