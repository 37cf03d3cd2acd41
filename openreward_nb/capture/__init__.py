"""Automatic capture of provider SDK calls (openai, anthropic, google-genai) into a rollout."""

from .hooks import installed, uninstall
from .scope import Capture

__all__ = ["Capture", "installed", "uninstall"]
