"""The provider methods have the OpenReward SDK's signatures, keep_raw is a client option, and importing the
package loads no provider SDK."""

from __future__ import annotations

import inspect
import subprocess

import pytest

from openreward_nb import OpenReward

from ..helpers import PYTHON, required, subprocess_env
from .harness import LOG_METHODS

openreward = required("openreward")

METHODS = LOG_METHODS


def _params(func) -> list[tuple[str, object, object]]:
    return [(p.name, p.default, p.kind) for p in inspect.signature(func).parameters.values()]


@pytest.mark.parametrize("method", METHODS)
def test_signature_matches_the_sdk(client, method: str) -> None:
    from openreward.api.rollouts.rollout import Rollout as SDKRollout

    ours = getattr(client.rollout.create("signatures"), method)
    assert _params(ours) == _params(getattr(SDKRollout, method))[1:]


def test_keep_raw_is_a_keyword_option_read_at_log_time(store_path) -> None:
    assert inspect.signature(OpenReward).parameters["keep_raw"].kind is inspect.Parameter.KEYWORD_ONLY
    client = OpenReward(store=store_path)
    assert client.keep_raw is True
    rollout = client.rollout.create("toggle")
    rollout.log_openai_completions({"role": "user", "content": "kept"})
    client.keep_raw = False
    rollout.log_openai_completions({"role": "user", "content": "dropped"})
    kept, dropped = rollout.record().events()
    client.close()
    assert kept.raw() is not None and dropped.raw() is None


def test_importing_the_package_loads_no_provider_sdk() -> None:
    code = (
        "import sys, openreward_nb, openreward_nb.providers\n"
        "heavy = [m for m in ('openai', 'anthropic', 'google.genai', 'pydantic', 'httpx2') if m in sys.modules]\n"
        "assert not heavy, heavy\n"
    )
    out = subprocess.run([PYTHON, "-c", code], capture_output=True, text=True, env=subprocess_env(), timeout=120)
    assert out.returncode == 0, out.stderr
