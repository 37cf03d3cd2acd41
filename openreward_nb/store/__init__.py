"""Storage: the SQL store backends, the background writer and store location rules."""

from .base import Store
from .location import STORE_ENV, close_store, open_store, resolve_store_url
from .writer import Writer

__all__ = ["STORE_ENV", "Store", "Writer", "close_store", "open_store", "resolve_store_url"]
