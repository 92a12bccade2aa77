"""Heavy models built on first use, never at import: once per process, or once per thread.

A forked child (Celery prefork, a test's subprocess) must build its own: what its parent built
holds native state (threads, file handles) that does not survive the fork. So both holders key
what they built by the process id.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class PerProcess(Generic[T]):
    """One value per process, for models whose sessions threads may share (onnxruntime,
    dlib behind its own lock)."""

    def __init__(self, build: Callable[[], T]) -> None:
        self._build = build
        self._lock = threading.Lock()
        self._built: dict[int, T] = {}

    def get(self) -> T:
        pid = os.getpid()
        value = self._built.get(pid)
        if value is None:
            with self._lock:
                value = self._built.get(pid)
                if value is None:
                    value = self._built[pid] = self._build()
        return value


class PerThread(Generic[T]):
    """One value per (process, thread), for graphs that must not be shared between threads
    (MediaPipe's)."""

    def __init__(self, build: Callable[[], T]) -> None:
        self._build = build
        self._local = threading.local()

    def get(self) -> T:
        local = self._local
        value: T | None = getattr(local, "value", None)
        if value is None or getattr(local, "pid", None) != os.getpid():
            value = self._build()
            local.value, local.pid = value, os.getpid()
        return value
