"""Where uploads go: the OpenReward API URL and key, resolved the way the SDK resolves them."""

from __future__ import annotations

import os
from dataclasses import dataclass
from urllib.parse import urlparse, urlunparse

from ..errors import InvalidArgumentError

DEFAULT_WEB_URL = "https://openreward.ai"
UPLOAD_ENV = "OPENREWARD_NB_UPLOAD"


def api_url_for(base_url: str | None = None) -> str:
    """``$OPENREWARD_API_URL``, else the ``api.`` subdomain of ``base_url`` / ``$OPENREWARD_URL`` (as the SDK)."""
    explicit = os.getenv("OPENREWARD_API_URL")
    if explicit:
        return explicit.rstrip("/")
    web = urlparse(base_url or os.getenv("OPENREWARD_URL") or DEFAULT_WEB_URL)
    return urlunparse(web._replace(netloc=f"api.{web.netloc}")).rstrip("/")


def upload_enabled(flag: bool | None) -> bool:
    """The ``upload=`` argument, else ``$OPENREWARD_NB_UPLOAD`` (1/true/yes/on)."""
    if flag is not None:
        return bool(flag)
    return os.getenv(UPLOAD_ENV, "").strip().lower() in ("1", "true", "yes", "on")


@dataclass(frozen=True)
class Target:
    """One OpenReward API: its base URL (``.../v1`` is appended per request) and API key."""

    url: str
    api_key: str = ""

    @classmethod
    def resolve(cls, api_url: str | None = None, api_key: str | None = None, base_url: str | None = None) -> Target:
        """Explicit values win; otherwise the SDK's environment variables."""
        url = (api_url or api_url_for(base_url)).rstrip("/")
        if not urlparse(url).scheme.startswith("http"):
            raise InvalidArgumentError(f"the OpenReward API URL must start with http:// or https://, got {url!r}")
        return cls(url, api_key if api_key is not None else os.getenv("OPENREWARD_API_KEY", ""))

    def __repr__(self) -> str:  # never show the key
        return f"Target({self.url!r})"
