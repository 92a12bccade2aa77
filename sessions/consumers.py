"""The page's WebSocket: authorised by the page token, one live connection per session."""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings

from sessions.live import Closed, LiveRun, Outbox, frame_analysis_is_distributed
from sessions.messages import MessageError, parse_message
from sessions.tasks import analyze_frame, analyze_frame_payload

log = logging.getLogger(__name__)
MAX_BAD_MESSAGES = 20
# Embedded mode: analysis runs in-process, on as many threads as the machine has cores.
_pool = ThreadPoolExecutor(max_workers=settings.LIVENESS_EMBEDDED_ANALYSIS_THREADS)


class LivenessConsumer(AsyncJsonWebsocketConsumer):
    live: LiveRun | None = None
    group: str = ""
    bad_messages = 0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._tasks: set[asyncio.Future[None]] = set()

    async def connect(self) -> None:
        await self.accept()
        try:
            self.live = await LiveRun.open(self.scope["url_route"]["kwargs"]["token"])
        except Closed as closed:
            await self.close(code=closed.code)
            return
        # Newest connection wins: a reload or a second tab takes the session over.
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
            await self.live.disconnected()

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if self.live is None:
            return
        try:
            message = parse_message(content)
        except MessageError as exc:
            await self._bad_message(str(exc))
            return
        handler = getattr(self, f"on_{message['type']}")
        await handler(message)

    async def decode_json(self, text_data: str) -> Any:
        try:
            return await super().decode_json(text_data)
        except ValueError:
            return None  # parse_message answers it as a bad message

    async def receive(
        self, text_data: str | None = None, bytes_data: bytes | None = None, **kwargs: Any
    ) -> None:
        if text_data is None:
            await self._bad_message("send JSON text messages")
            return
        await super().receive(text_data=text_data, **kwargs)

    # --- page messages ------------------------------------------------------------------
    async def on_ping(self, message: dict[str, Any]) -> None:
        await self.send_json({"type": "pong"})

    async def on_start(self, message: dict[str, Any]) -> None:
        await self._deliver(await self.live.start())

    async def on_retry(self, message: dict[str, Any]) -> None:
        await self._deliver(await self.live.retry())

    async def on_cancel(self, message: dict[str, Any]) -> None:
        await self._deliver(await self.live.cancel())

    async def on_frame(self, message: dict[str, Any]) -> None:
        refused = self.live.admit_frame(message["seq"], message["image"])
        if refused is not None:
            await self.send_json(refused)
            return
        if frame_analysis_is_distributed():
            await self._enqueue(message["seq"], message["image"])
        else:
            task = asyncio.ensure_future(self._analyse_here(message["seq"], message["image"]))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    # --- analysis -----------------------------------------------------------------------
    async def _enqueue(self, seq: int, image: str) -> None:
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(
            None,
            lambda: analyze_frame.apply_async(
                args=[self.channel_name, seq, image], expires=settings.LIVENESS_FRAME_EXPIRES_S
            ),
        )

    async def _analyse_here(self, seq: int, image: str) -> None:
        answer = await asyncio.get_running_loop().run_in_executor(
            _pool, analyze_frame_payload, image
        )
        await self.frame_analyzed({"seq": seq, **answer})

    async def frame_analyzed(self, event: dict[str, Any]) -> None:
        if self.live is None:
            return
        await self._deliver(await self.live.analyzed(event["seq"], event))

    async def session_taken(self, event: dict[str, Any]) -> None:
        if event["by"] == self.channel_name:
            return
        await self.send_json({"type": "replaced"})
        self.live = None
        await self.close(code=4409)

    # --- helpers ------------------------------------------------------------------------
    async def _deliver(self, out: Outbox) -> None:
        for message in out.messages:
            await self.send_json(message)
        if out.close_code is not None:
            self.live = None
            await self.close(code=out.close_code)

    async def _bad_message(self, reason: str) -> None:
        self.bad_messages += 1
        await self.send_json({"type": "error", "code": "bad_message", "message": reason})
        if self.bad_messages > MAX_BAD_MESSAGES:
            await self.close(code=4400)
