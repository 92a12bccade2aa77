"""The liveness engine: pure Python + numpy, replayable from recorded observations.

No Django, no MediaPipe and no clock here: frames arrive as `FrameObservation`s (built by
`workers/`) and time is always a `timestamp_ms` parameter.
"""
