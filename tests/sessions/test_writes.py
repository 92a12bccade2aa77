"""The live run's write queue (sessions/writes.py) on its own: order, outages, orphans.

The writes here are plain functions, not services: the queue only cares that a call either
commits or raises. The database outage is the real exception Django raises for it.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from django.db import OperationalError

from sessions import writes
from sessions.writes import WriteQueue
from tests.support.socket_client import run_in_thread

# The queue runs its writes through channels' database_sync_to_async, which closes stale
# connections around each call: that needs database access even when the write is not a query.
pytestmark = pytest.mark.django_db(transaction=True)


class Storage:
    """Records committed writes; refuses them all while `down`."""

    def __init__(self) -> None:
        self.down = False
        self.log: list[str] = []

    def save(self, name: str) -> str:
        if self.down:
            raise OperationalError("connection refused")
        self.log.append(name)
        return name.upper()


def heard_by(trace: list[str]) -> Any:
    async def emit(message: dict[str, Any]) -> None:
        trace.append(f"msg:{message['type']}")

    return emit


def test_messages_wait_for_the_writes_before_them() -> None:
    storage, trace = Storage(), []
    queue = WriteQueue("s")

    async def then(result: str, emit: Any) -> None:
        trace.append(f"then:{result}")

    async def scenario() -> bool:
        queue.write(storage.save, name="a")
        queue.say({"type": "challenge"})
        queue.write(storage.save, then, name="b")
        queue.say({"type": "result"})
        return await queue.commit(heard_by(trace))

    assert run_in_thread(scenario()) is True
    assert storage.log == ["a", "b"]
    assert trace == ["msg:challenge", "then:B", "msg:result"]
    assert len(queue) == 0


def test_an_outage_keeps_the_refused_write_and_all_after_it() -> None:
    storage, trace = Storage(), []
    queue = WriteQueue("s")

    async def scenario() -> tuple[bool, int, list[str], bool]:
        queue.write(storage.save, name="a")
        storage.down = True
        queue.say({"type": "challenge"})
        queue.write(storage.save, name="b")
        queue.say({"type": "challenge_passed"})
        first = await queue.commit(heard_by(trace))
        left, heard = len(queue), list(trace)
        storage.down = False
        second = await queue.commit(heard_by(trace))
        return first, left, heard, second

    first, left, heard, second = run_in_thread(scenario())
    assert (first, left, heard) == (False, 4, [])  # nothing is said before "a" is written
    assert second is True
    assert storage.log == ["a", "b"]  # each written once, after the outage
    assert trace == ["msg:challenge", "msg:challenge_passed"]


def test_then_runs_once_even_when_it_ends_the_socket() -> None:
    storage, calls = Storage(), []
    queue = WriteQueue("s")

    class Ended(Exception):
        pass

    async def then(result: str, emit: Any) -> None:
        calls.append(result)
        raise Ended

    async def scenario() -> int:
        queue.write(storage.save, then, name="verdict")
        with pytest.raises(Ended):
            await queue.commit(heard_by([]))
        assert await queue.commit(heard_by([])) is True
        return len(queue)

    assert run_in_thread(scenario()) == 0
    assert calls == ["VERDICT"] and storage.log == ["verdict"]


def test_other_errors_are_bugs_and_propagate() -> None:
    queue = WriteQueue("s")

    def broken() -> None:
        raise ValueError("bug")

    async def scenario() -> None:
        queue.write(broken)
        await queue.commit(heard_by([]))

    with pytest.raises(ValueError):
        run_in_thread(scenario())


def test_a_closed_socket_keeps_retrying_until_the_database_is_back(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(writes, "STORAGE_RETRY_S", 0.01)
    storage = Storage()
    storage.down = True
    queue = WriteQueue("s")

    class Ended(Exception):
        pass

    async def announce(result: str, emit: Any) -> None:
        await emit({"type": "result"})  # nobody listens: discarded
        raise Ended

    async def scenario() -> list[str]:
        queue.write(storage.save, name="progress")
        queue.write(storage.save, announce, name="verdict")
        assert await queue.commit(writes.discard) is False
        queue.keep_retrying(Ended)
        await asyncio.sleep(0.05)
        assert storage.log == [] and len(queue) == 2
        storage.down = False
        for _ in range(100):
            if not writes._orphans:
                break
            await asyncio.sleep(0.01)
        return storage.log

    assert run_in_thread(scenario()) == ["progress", "verdict"]
    assert len(queue) == 0


def test_nothing_left_starts_no_retry() -> None:
    async def scenario() -> int:
        WriteQueue("s").keep_retrying(Exception)
        return len(writes._orphans)

    assert run_in_thread(scenario()) == 0
