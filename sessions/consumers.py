"""The page's WebSocket: authorised by the page token, one live connection per session."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings

from sessions.live import Closed, LiveRun
from sessions.messages import MessageError, decode_message, parse_message
from sessions.protocol import CloseCode
from sessions.services import load
from sessions.tasks import analyze_frame, analyze_frame_payload
from sessions.writes import STORAGE_RETRY_S

log = logging.getLogger(__name__)
MAX_BAD_MESSAGES = 20
CLOSE_REPLACED = CloseCode.REPLACED
CLOSE_ABUSE = CloseCode.ABUSE
# Embedded mode: frames are analysed in-process, on a few threads of the web process.
_pool = ThreadPoolExecutor(max_workers=settings.LIVENESS_EMBEDDED_ANALYSIS_THREADS)


class LivenessConsumer(AsyncJsonWebsocketConsumer):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.live: LiveRun | None = None
        self.group = ""
        self.bad_messages = 0
        self._tasks: set[asyncio.Future[None]] = set()
        self._retry_timer: asyncio.TimerHandle | None = None
        self.admitted = False  # counted in the service's load (sessions.services.load)
        self.load_seen = 0.0

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        # A handler that raised (the channel layer's Redis went away) ends the socket without
        # a `websocket.disconnect`: the run is saved and the disconnection recorded anyway.
        try:
            await super().__call__(scope, receive, send)
        finally:
            await self._leave()

    async def dispatch(self, message: dict[str, Any]) -> None:
        await super().dispatch(message)
        self._retry_writes_later()

    async def connect(self) -> None:
        await self.accept()
        try:
            self.live = await LiveRun.open(self.scope["url_route"]["kwargs"]["token"])
        except Closed as closed:
            await self.close(code=int(closed.code))
            return
        # The newest connection wins: a reload or a second tab takes the session over.
        self.group = f"liveness-{self.live.session.sid}"
        await self.channel_layer.group_send(
            self.group, {"type": "session.taken", "by": self.channel_name}
        )
        await self.channel_layer.group_add(self.group, self.channel_name)
        if self.live.started:
            await self._admitted()  # a run in progress: part of the load again
        await self.send_json(self.live.state_message())

    async def disconnect(self, code: int) -> None:
        await self._leave()

    async def _leave(self) -> None:
        """Once per socket, however it ended: save the run, record `disconnected`, give its
        place in the load back."""
        if self.admitted:
            self.admitted = False
            try:
                await asyncio.to_thread(load.run_release, member=self.channel_name)
            except Exception as exc:  # Redis down: the entry ages out by itself
                log.warning("releasing the run's load entry failed: %s", exc)
        if self._retry_timer is not None:
            self._retry_timer.cancel()
        if self.live is not None:
            live, self.live = self.live, None
            await live.disconnected()
        if self.group:
            group, self.group = self.group, ""
            try:
                await self.channel_layer.group_discard(group, self.channel_name)
            except Exception as exc:  # Redis down: the membership expires by itself
                log.warning("group_discard failed: %s", exc)

    async def receive(
        self, text_data: str | None = None, bytes_data: bytes | None = None, **kwargs: Any
    ) -> None:
        if self.live is None:
            return
        try:
            message = parse_message(await self._decode(text_data))
        except MessageError as exc:
            await self._bad_message(str(exc))
            return
        await self._run(getattr(self.live, message["type"], None), message)

    async def _decode(self, text_data: str | None) -> Any:
        return decode_message(text_data)

    async def _run(
        self, action: Callable[..., Awaitable[None]] | None, message: dict[str, Any]
    ) -> None:
        kind = message["type"]
        try:
            if kind == "ping":
                await self.send_json({"type": "pong"})
                await self._refresh_load()  # a run paused on a screen still holds its place
            elif kind == "frame":
                await self._frame(message["seq"], message["image"])
            elif kind == "start" and not await self._admitted():
                await self.send_json({"type": "busy", "retry_in": settings.LIVENESS_BUSY_RETRY_S})
            elif action is not None:
                await action(self.send_json)
        except Closed as closed:
            await self._close(closed.code)

    # --- load ---------------------------------------------------------------------------
    async def _admitted(self) -> bool:
        """Is this run counted in the service's load (sessions.services.load)? A run that had
        started before this connection is readmitted whatever the load; a new one only while
        there is room, else the page is told `busy` and says Start again later."""
        if self.admitted:
            return True
        assert self.live is not None
        resumed = self.live.started
        try:
            self.admitted = await asyncio.to_thread(
                load.run_admit, member=self.channel_name, resumed=resumed
            )
        except Exception as exc:  # the load register unreachable: admit rather than refuse
            log.warning("load register unavailable, run admitted: %s", exc)
            self.admitted = True
        self.load_seen = time.monotonic()
        return self.admitted

    async def _refresh_load(self) -> None:
        if self.admitted and time.monotonic() - self.load_seen >= load.REFRESH_S:
            self.load_seen = time.monotonic()
            try:
                await asyncio.to_thread(load.run_refresh, member=self.channel_name)
            except Exception as exc:  # a Redis blip must not end the run
                log.warning("load register refresh failed: %s", exc)

    # --- frames -------------------------------------------------------------------------
    async def _frame(self, seq: int, image: str) -> None:
        assert self.live is not None
        await self._refresh_load()
        await self.live.give_up_lost_frames(self.send_json)
        refused = self.live.admit_frame(seq, image)
        if refused is not None:
            await self.send_json(refused)
            return
        admitted = self.live.window.get(seq)
        passive = admitted is not None and admitted.passive
        hands = admitted is not None and admitted.hands
        if settings.CELERY_TASK_ALWAYS_EAGER:
            task = asyncio.ensure_future(self._analyse_here(seq, image, passive, hands))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        else:
            loop = asyncio.get_running_loop()
            await loop.run_in_executor(None, self._enqueue, seq, image, passive, hands)

    def _enqueue(self, seq: int, image: str, passive: bool, hands: bool) -> None:
        # `hands` only when set: every other frame keeps the task's four-argument shape, so a
        # worker still on the code before hand gestures answers it (a rolling deploy).
        analyze_frame.apply_async(
            args=[self.channel_name, seq, image, passive],
            kwargs={"hands": True} if hands else {},
            expires=settings.LIVENESS_FRAME_EXPIRES_S,
        )

    async def _analyse_here(self, seq: int, image: str, passive: bool, hands: bool) -> None:
        loop = asyncio.get_running_loop()
        answer = await loop.run_in_executor(_pool, analyze_frame_payload, image, passive, hands)
        # Back through the (in-memory) channel layer, so answers are handled one at a time,
        # between page messages, exactly as answers from Celery workers are.
        await self.channel_layer.send(
            self.channel_name, {"type": "frame.analyzed", "seq": seq, **answer}
        )

    # --- channel layer events -----------------------------------------------------------
    async def frame_analyzed(self, event: dict[str, Any]) -> None:
        if self.live is None:
            return
        try:
            await self.live.analyzed(event["seq"], event, self.send_json)
        except Closed as closed:
            await self._close(closed.code)

    async def storage_retry(self, event: dict[str, Any]) -> None:
        if self.live is None:
            return
        try:
            await self.live.retry_storage(self.send_json)
        except Closed as closed:
            await self._close(closed.code)

    def _retry_writes_later(self) -> None:
        """Writes the database refused are retried from this consumer's own queue, between
        page messages, as every other change to the run is."""
        if self.live is None or not self.live.pending or self._retry_timer is not None:
            return
        message = {"type": "storage.retry"}

        def fire() -> None:
            self._retry_timer = None
            task = asyncio.ensure_future(self.channel_layer.send(self.channel_name, message))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

        self._retry_timer = asyncio.get_running_loop().call_later(STORAGE_RETRY_S, fire)

    async def session_taken(self, event: dict[str, Any]) -> None:
        if event["by"] == self.channel_name or self.live is None:
            return
        await self.send_json({"type": "replaced"})
        await self._close(CLOSE_REPLACED)

    # --- helpers ------------------------------------------------------------------------
    async def _close(self, code: int) -> None:
        if self.live is not None:
            live, self.live = self.live, None
            await live.disconnected()
        await self.close(code=int(code))

    async def _bad_message(self, reason: str) -> None:
        self.bad_messages += 1
        await self.send_json({"type": "error", "code": "bad_message", "message": reason})
        if self.bad_messages > MAX_BAD_MESSAGES:
            await self._close(CLOSE_ABUSE)
