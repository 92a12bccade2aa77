"""A live run's writes, committed in order, with the messages that must wait for them.

The page hears of progress only once it is in the database: a `challenge_passed` after the
progress that records it, a `result` after the verdict. `WriteQueue` keeps writes (one
service call, one transaction each) and messages in one list and runs it front to back.

- `commit` stops at the first write the database refuses as unreachable (`STORAGE_DOWN`)
  and keeps it and everything after it; the caller pauses the run and calls `commit` again
  later. Any other error is a bug and propagates.
- A write's `then` gets the service's return value once it is committed (it may end the
  socket by raising); the write is off the queue before `then` runs, so it never repeats.
- `keep_retrying` hands what is left when the socket closes to a background task that
  retries for `ORPHAN_RETRY_FOR_S`: a verdict reached just before the database went away is
  written once it is back, although nobody is listening any more.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from channels.db import database_sync_to_async
from django.db import InterfaceError, OperationalError

STORAGE_RETRY_S = 1.0
# Writes a closed socket left pending keep being retried this long (the verdict among them).
ORPHAN_RETRY_FOR_S = 600.0
STORAGE_DOWN = (OperationalError, InterfaceError)

log = logging.getLogger(__name__)
Emit = Callable[[dict[str, Any]], Awaitable[None]]
Then = Callable[[Any, Emit], Awaitable[None]]
# Background retries of sockets that closed while the database was unreachable.
_orphans: set[asyncio.Task[None]] = set()


@dataclass
class Write:
    """One service call (one transaction); `then` gets its return value once committed."""

    service: Callable[..., Any]
    kwargs: dict[str, Any]
    then: Then | None = None


class WriteQueue:
    def __init__(self, label: str) -> None:
        self.label = label  # names the session in logs
        self._items: list[Write | dict[str, Any]] = []

    def __len__(self) -> int:
        return len(self._items)

    def write(self, service: Callable[..., Any], then: Then | None = None, **kwargs: Any) -> None:
        self._items.append(Write(service, kwargs, then))

    def say(self, *messages: dict[str, Any]) -> None:
        """Messages sent once every write queued before them is committed."""
        self._items.extend(messages)

    async def commit(self, emit: Emit) -> bool:
        """Run the queue in order; False when the database is unreachable (the rest waits)."""
        while self._items:
            item = self._items[0]
            if isinstance(item, dict):
                self._items.pop(0)
                await emit(item)
                continue
            try:
                result = await database_sync_to_async(item.service)(**item.kwargs)
            except STORAGE_DOWN as exc:
                log.warning("database unreachable, %d writes wait: %s", len(self._items), exc)
                return False
            self._items.pop(0)
            if item.then is not None:
                await item.then(result, emit)
        return True

    def keep_retrying(self, stop: type[BaseException]) -> None:
        """The socket is gone: retry what is left in the background (`then` may raise `stop`)."""
        if not self._items:
            return
        task = asyncio.ensure_future(self._retry_orphaned(stop))
        _orphans.add(task)
        task.add_done_callback(_orphans.discard)

    async def _retry_orphaned(self, stop: type[BaseException]) -> None:
        deadline = time.monotonic() + ORPHAN_RETRY_FOR_S
        while self._items and time.monotonic() < deadline:
            await asyncio.sleep(STORAGE_RETRY_S)
            with contextlib.suppress(stop):
                await self.commit(discard)
        if self._items:
            log.error("gave up %d writes of session %s", len(self._items), self.label)


async def discard(message: dict[str, Any]) -> None:
    """The socket is gone: nobody hears the messages that were waiting for writes."""
