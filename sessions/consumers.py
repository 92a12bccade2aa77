"""The page's WebSocket: authorised by the page token, one live connection per session."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings

from sessions.live import Closed, LiveRun
from sessions.messages import MessageError, parse_message
from sessions.tasks import analyze_frame, analyze_frame_payload

MAX_BAD_MESSAGES = 20
CLOSE_REPLACED = 4409
CLOSE_ABUSE = 4400
# Embedded mode: frames are analysed in-process, on a few threads of the web process.
_pool = ThreadPoolExecutor(max_workers=settings.LIVENESS_EMBEDDED_ANALYSIS_THREADS)


class LivenessConsumer(AsyncJsonWebsocketConsumer):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.live: LiveRun | None = None
        self.group = ""
        self.bad_messages = 0
        self._tasks: set[asyncio.Future[None]] = set()

    async def connect(self) -> None:
        await self.accept()
        try:
            self.live = await LiveRun.open(self.scope["url_route"]["kwargs"]["token"])
        except Closed as closed:
            await self.close(code=closed.code)
            return
        # The newest connection wins: a reload or a second tab takes the session over.
        self.group = f"liveness-{self.live.session.sid}"
        await self.channel_layer.group_send(
            self.group, {"type": "session.taken", "by": self.channel_name}
        )
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.send_json(self.live.state_message())

    async def disconnect(self, code: int) -> None:
        if self.group:
            await self.channel_layer.group_discard(self.group, self.channel_name)
        if self.live is not None:
            live, self.live = self.live, None
            await live.disconnected()

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
        if text_data is None:
            raise MessageError("send JSON text messages")
        try:
            return await self.decode_json(text_data)
        except ValueError as exc:
            raise MessageError("a message is a JSON object") from exc

    async def _run(
        self, action: Callable[..., Awaitable[None]] | None, message: dict[str, Any]
    ) -> None:
        kind = message["type"]
        try:
            if kind == "ping":
                await self.send_json({"type": "pong"})
            elif kind == "frame":
                await self._frame(message["seq"], message["image"])
            elif action is not None:
                await action(self.send_json)
        except Closed as closed:
            await self._close(closed.code)

    # --- frames -------------------------------------------------------------------------
    async def _frame(self, seq: int, image: str) -> None:
        assert self.live is not None
        await self.live.give_up_lost_frames(self.send_json)
        refused = self.live.admit_frame(seq, image)
        if refused is not None:
            await self.send_json(refused)
            return
        passive = self.live.frames[seq].passive
        if settings.CELERY_TASK_ALWAYS_EAGER:
            task = asyncio.ensure_future(self._analyse_here(seq, image, passive))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        else:
            loop = asyncio.get_running_loop()
            await loop.run_in_executor(None, self._enqueue, seq, image, passive)

    def _enqueue(self, seq: int, image: str, passive: bool) -> None:
        analyze_frame.apply_async(
            args=[self.channel_name, seq, image, passive],
            expires=settings.LIVENESS_FRAME_EXPIRES_S,
        )

    async def _analyse_here(self, seq: int, image: str, passive: bool) -> None:
        loop = asyncio.get_running_loop()
        answer = await loop.run_in_executor(_pool, analyze_frame_payload, image, passive)
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
        await self.close(code=code)

    async def _bad_message(self, reason: str) -> None:
        self.bad_messages += 1
        await self.send_json({"type": "error", "code": "bad_message", "message": reason})
        if self.bad_messages > MAX_BAD_MESSAGES:
            await self._close(CLOSE_ABUSE)
