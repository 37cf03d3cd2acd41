"""Installing the capture wrappers: idempotent, lazy about SDK imports, removable."""

from __future__ import annotations

import subprocess

from openreward_nb.capture import hooks, uninstall
from openreward_nb.capture.sdks import install_all

from ..helpers import PYTHON, subprocess_env


def test_install_is_idempotent_and_uninstall_restores() -> None:
    import anthropic._base_client
    import google.genai.models
    import openai._base_client

    originals = {
        "openai": openai._base_client.SyncAPIClient.__dict__["request"],
        "anthropic": anthropic._base_client.AsyncAPIClient.__dict__["request"],
        "gemini": google.genai.models.Models.__dict__["_generate_content"],
    }
    try:
        install_all()
        first = hooks.installed()
        install_all()
        assert hooks.installed() == first and len(first) == 8
        assert openai._base_client.SyncAPIClient.__dict__["request"] is not originals["openai"]
    finally:
        uninstall()
    assert hooks.installed() == []
    assert openai._base_client.SyncAPIClient.__dict__["request"] is originals["openai"]
    assert anthropic._base_client.AsyncAPIClient.__dict__["request"] is originals["anthropic"]
    assert google.genai.models.Models.__dict__["_generate_content"] is originals["gemini"]


def test_sdks_imported_later_are_wrapped_on_import_and_never_imported_by_us() -> None:
    script = """
import sys
from openreward_nb.capture.sdks import install_all
from openreward_nb.capture import hooks
install_all()
assert not any(m.split('.')[0] in ('openai', 'anthropic', 'google') for m in sys.modules), 'capture imported an SDK'
assert hooks.installed() == []
import openai
from openai._base_client import SyncAPIClient, AsyncAPIClient
assert getattr(SyncAPIClient.request, '__openreward_nb_original__', None) is not None
assert getattr(AsyncAPIClient.request, '__openreward_nb_original__', None) is not None
from google import genai
from google.genai.models import Models
assert getattr(Models._generate_content, '__openreward_nb_original__', None) is not None
print(len(hooks.installed()))
"""
    out = subprocess.run([PYTHON, "-c", script], capture_output=True, text=True, env=subprocess_env(), timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "6"
