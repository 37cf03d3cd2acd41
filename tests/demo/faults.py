"""Failures on purpose: the n-th request to the offline providers gets an HTTP error in that provider's format."""

from __future__ import annotations

import threading
from collections.abc import Mapping

import httpx2

from openreward_nb.demo import OfflineProviders
from openreward_nb.demo.providers import error_response


class Faults:
    """A MockTransport handler: request n (1-based, retries included) answers ``errors[n]``; the rest are served."""

    def __init__(self, errors: Mapping[int, int], seed: int = 0) -> None:
        self.providers = OfflineProviders(seed)
        self.errors = dict(errors)
        self.requests = 0
        self._lock = threading.Lock()

    def __call__(self, request: httpx2.Request) -> httpx2.Response:
        with self._lock:
            self.requests += 1
            number = self.requests
        if number in self.errors:
            return error_response(request.url.host, self.errors[number])
        return self.providers(request)


def failing(errors: Mapping[int, int], seed: int = 0) -> httpx2.MockTransport:
    """A transport for the demo clients (``transport=``) whose requests fail as ``errors`` says."""
    return httpx2.MockTransport(Faults(errors, seed))
