"""Installing the capture wrappers on SDK classes: once, idempotently, removable.

A target is a method on a class in a provider SDK module. Modules already imported are
patched at once; the others when they are first imported (a small post-import hook), so
enabling capture never imports a provider SDK itself.
"""

from __future__ import annotations

import importlib.abc
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

_MARK = "__openreward_nb_original__"


@dataclass(frozen=True)
class Target:
    """A method to wrap: ``module.cls.method``, wrapped by ``make_wrapper(original)``."""

    module: str
    cls: str
    method: str
    make_wrapper: Callable[[Callable[..., Any]], Callable[..., Any]]


_lock = threading.RLock()
_targets: list[Target] = []
_patched: list[tuple[type, str, Callable[..., Any]]] = []
_hook: _PostImportHook | None = None


def _patch(target: Target, module: Any) -> None:
    cls = getattr(module, target.cls, None)
    if cls is None:
        return
    current = cls.__dict__.get(target.method)
    if current is None or getattr(current, _MARK, None) is not None:
        return  # missing in this SDK version, or already wrapped
    wrapper = target.make_wrapper(current)
    setattr(wrapper, _MARK, current)
    setattr(cls, target.method, wrapper)
    _patched.append((cls, target.method, current))


def _patch_module(name: str, module: Any) -> None:
    with _lock:
        for target in _targets:
            if target.module == name:
                _patch(target, module)


class _PostImportHook(importlib.abc.MetaPathFinder):
    """Patches target modules right after they are first imported."""

    def find_spec(self, fullname: str, path: Any, target: Any = None) -> Any:
        if fullname not in {t.module for t in _targets}:
            return None
        for finder in sys.meta_path:
            if finder is self:
                continue
            find = getattr(finder, "find_spec", None)
            spec = find(fullname, path, target) if find else None
            if spec is not None and spec.loader is not None and hasattr(spec.loader, "exec_module"):
                spec.loader = _PatchingLoader(spec.loader)
                return spec
            if spec is not None:
                return None
        return None


class _PatchingLoader(importlib.abc.Loader):
    def __init__(self, loader: Any) -> None:
        self._loader = loader

    def create_module(self, spec: Any) -> Any:
        return self._loader.create_module(spec)

    def exec_module(self, module: Any) -> None:
        self._loader.exec_module(module)
        _patch_module(module.__name__, module)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._loader, name)


def install(targets: list[Target]) -> None:
    """Wrap every target (now if imported, else on import). Calling it again changes nothing."""
    global _hook
    with _lock:
        for target in targets:
            if target not in _targets:
                _targets.append(target)
        for target in targets:
            module = sys.modules.get(target.module)
            if module is not None:
                _patch(target, module)
        if _hook is None:
            _hook = _PostImportHook()
            sys.meta_path.insert(0, _hook)


def uninstall() -> None:
    """Restore every wrapped method and remove the import hook."""
    global _hook
    with _lock:
        for cls, name, original in reversed(_patched):
            setattr(cls, name, original)
        _patched.clear()
        _targets.clear()
        if _hook is not None and _hook in sys.meta_path:
            sys.meta_path.remove(_hook)
        _hook = None


def installed() -> list[str]:
    """Dotted names of the methods currently wrapped."""
    with _lock:
        return [f"{cls.__module__}.{cls.__qualname__}.{name}" for cls, name, _ in _patched]
