"""Which of the page's frames go to analysis, and in which order their answers are fed.

The page sends numbered frames (`seq`) and keeps a few in flight; analysis may answer them out
of order (two workers) or never (a worker died). `FrameWindow` is the bookkeeping, with no
I/O and time as a parameter (sessions/live.py drives it):

1. `admit` lets at most `max_in_flight` frames out; it refuses a frame while the run takes
   none (`paused`), an old or repeated `seq` (`stale`) and one over the limit (`busy`). Each
   admitted frame keeps the time it arrived: the time the engine sees.
2. `answer` records an analysis answer; `next_ready` then hands frames back strictly in `seq`
   order: an answer that overtook an older frame still in analysis waits for it.
3. `give_up` frees the frames whose answer has not come for `timeout_ms` (`lost`).
4. `fed` records the last frame the engine saw: anything older is stale from then on.

`OutageClock` is the engine's clock during outages: no timer of the run may run while analysis
or storage is down, so the first frame after one is placed just after the last one before it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class Refusal(StrEnum):
    """Why a frame was not taken (the `reason` of the page's `frame_dropped`)."""

    PAUSED = "paused"
    STALE = "stale"
    BUSY = "busy"


@dataclass
class WindowFrame:
    seq: int
    received_ms: int
    payload: Any  # what the driver needs to keep with it (the JPEG, as sent)
    passive: bool = False  # to be scored by the anti-spoofing models too
    hands: bool = False  # to go through the hand model too (a hand challenge is open)
    answer: Any = None
    answered: bool = False


class FrameWindow:
    def __init__(self, max_in_flight: int, timeout_ms: int) -> None:
        if max_in_flight < 1 or timeout_ms <= 0:
            raise ValueError("max_in_flight must be >= 1 and timeout_ms > 0")
        self.max_in_flight = max_in_flight
        self.timeout_ms = timeout_ms
        self.frames: dict[int, WindowFrame] = {}
        self.last_fed_seq = -1

    def admit(
        self,
        seq: int,
        now_ms: int,
        payload: Any,
        *,
        accepting: bool,
        passive_due: bool = False,
        hands_due: bool = False,
    ) -> Refusal | None:
        """None when the frame may go to analysis (it is then in flight); else why not.
        `passive_due`: the run wants its next frame scored; one scored frame in flight at a
        time is enough to keep to the sampling rate. `hands_due`: the run has a hand challenge
        open, so the frame goes through the hand model too."""
        if not accepting:
            return Refusal.PAUSED
        if seq <= self.last_fed_seq or seq in self.frames:
            return Refusal.STALE
        if len(self.frames) >= self.max_in_flight:
            return Refusal.BUSY
        passive = passive_due and not any(f.passive for f in self.frames.values())
        self.frames[seq] = WindowFrame(seq, now_ms, payload, passive, hands_due)
        return None

    def get(self, seq: int) -> WindowFrame | None:
        return self.frames.get(seq)

    def answer(self, seq: int, answer: Any) -> bool:
        """Record the answer; False for a frame given up already or answered twice."""
        frame = self.frames.get(seq)
        if frame is None or frame.answered:
            return False
        frame.answer, frame.answered = answer, True
        return True

    def next_ready(self) -> WindowFrame | None:
        """The oldest frame in flight, taken out, if it is answered; None while it is not."""
        if not self.frames:
            return None
        oldest = min(self.frames)
        if not self.frames[oldest].answered:
            return None
        return self.frames.pop(oldest)

    def give_up(self, now_ms: int) -> list[int]:
        """The frames unanswered for `timeout_ms`, oldest first, taken out."""
        limit = now_ms - self.timeout_ms
        lost = sorted(s for s, f in self.frames.items() if not f.answered and f.received_ms < limit)
        for seq in lost:
            del self.frames[seq]
        return lost

    def fed(self, seq: int) -> None:
        self.last_fed_seq = max(self.last_fed_seq, seq)


class OutageClock:
    """Arrival times on the engine's clock, which does not run during an outage."""

    def __init__(self, resume_gap_ms: int) -> None:
        self.resume_gap_ms = resume_gap_ms  # where the first frame after an outage lands
        self.offset_ms = 0  # outage time cut out so far
        self.last_ms: int | None = None
        self._skip = False

    def outage_ended(self) -> None:
        """The next frame follows an outage: the time since the last one is cut out."""
        self._skip = True

    def place(self, received_ms: int) -> int:
        t = received_ms - self.offset_ms
        last = self.last_ms
        if self._skip and last is not None and t - last > self.resume_gap_ms:
            self.offset_ms += t - last - self.resume_gap_ms
            t = last + self.resume_gap_ms
        self._skip = False
        self.last_ms = t
        return t
