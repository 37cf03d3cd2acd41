"""What ``pip install openreward-nb`` brings, what the extras bring, and the one error for a missing library."""

from __future__ import annotations

import subprocess
import sys
import tomllib
import zipfile

import pytest

from openreward_nb.extras import EXTRAS, needs_extra

from .helpers import PYTHON, REPO, subprocess_env

PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
#: the notebook toolkit the project is named for: in the core
TOOLKIT = {"ipython", "ipywidgets", "anywidget", "plotly", "markdown-it-py", "pandas", "pyarrow"}
#: what stays optional, by the extra that brings it
OPTIONAL = {
    "providers": {"openai", "anthropic", "google-genai"},
    "postgres": {"psycopg"},
    "sync": {"httpx2"},
    "server": {"starlette", "uvicorn"},
    "jupyter": {"jupyterlab", "ipykernel"},
}
#: packages the core must not import
HEAVY = (
    "pandas",
    "pyarrow",
    "numpy",
    "plotly",
    "ipywidgets",
    "anywidget",
    "IPython",
    "markdown_it",
    "httpx2",
    "psycopg",
)


def _names(requirements: list[str]) -> set[str]:
    return {r.split(";")[0].split("[")[0].split(">")[0].split("=")[0].split("<")[0].strip() for r in requirements}


def test_the_core_is_the_notebook_toolkit_and_the_rest_are_extras() -> None:
    core = _names(PYPROJECT["dependencies"])
    extras = PYPROJECT["optional-dependencies"]
    assert TOOLKIT <= core
    for extra, packages in OPTIONAL.items():
        assert extra in EXTRAS and packages <= _names(extras[extra]), extra
        assert not packages & core, extra
    assert set(EXTRAS) <= set(extras)
    # every extra the code names is in `all`
    everything = extras["all"][0].split("[")[1].rstrip("]").split(",")
    assert set(EXTRAS) <= set(everything)


def _hidden(module: str, code: str) -> subprocess.CompletedProcess[str]:
    """``code`` run in a fresh interpreter where importing ``module`` fails as if it were not installed."""
    program = f"import sys\nsys.modules[{module!r}] = None\n{code}"
    return subprocess.run([PYTHON, "-c", program], capture_output=True, text=True, env=subprocess_env(), timeout=120)


CATCH = "\nexcept MissingExtraError as exc:\n    print(type(exc).__name__, exc.name, '|', exc)\n"


@pytest.mark.parametrize(
    ("module", "code", "extra"),
    [
        ("pandas", "import openreward_nb as orn\ntry:\n    orn.runs_df", None),
        ("numpy", "import openreward_nb as orn\ntry:\n    orn.rollouts_df", None),
        ("httpx2", "try:\n    from openreward_nb.upload import remote", "sync"),
        ("orjson", "try:\n    from openreward_nb.upload import wire", "sync"),
        ("starlette", "try:\n    from openreward_nb.server import app", "server"),
        ("openai", "from openreward_nb.demo import openai_client\ntry:\n    openai_client()", "providers"),
    ],
)
def test_a_missing_library_names_what_to_install(module: str, code: str, extra: str | None) -> None:
    out = _hidden(module, "from openreward_nb import MissingExtraError\n" + code + CATCH)
    assert out.returncode == 0, out.stderr
    line = out.stdout.strip()
    assert line.startswith(f"MissingExtraError {module}"), line  # exc.name: the module that was missing
    assert f"{module} is not installed here. Install it with: " in line
    assert line.endswith(" install openreward-nb" if extra is None else f" install 'openreward-nb[{extra}]'"), line


def test_a_missing_module_of_the_package_itself_is_a_bug_not_an_extra() -> None:
    with pytest.raises(ModuleNotFoundError) as raised, needs_extra("sync", "x"):
        import openreward_nb.no_such_module  # noqa: F401
    assert type(raised.value) is ModuleNotFoundError
    with pytest.raises(ValueError, match="not an import problem"), needs_extra("sync", "x"):
        raise ValueError("not an import problem")


def test_importing_the_package_loads_none_of_the_heavy_parts() -> None:
    code = f"import sys, openreward_nb\nprint([m for m in {HEAVY!r} if m in sys.modules])"
    out = subprocess.run([PYTHON, "-c", code], capture_output=True, text=True, env=subprocess_env(), timeout=60)
    assert out.stdout.strip() == "[]", out.stdout + out.stderr


@pytest.mark.slow
def test_the_wheel_ships_py_typed(tmp_path) -> None:
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(tmp_path), str(REPO)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert built.returncode == 0, built.stderr[-3000:]
    [wheel] = tmp_path.glob("openreward_nb-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "openreward_nb/py.typed" in names and "openreward_nb/viz/timeline.js" in names
