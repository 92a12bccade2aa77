"""Adapters around heavy libraries: image decoding and the MediaPipe face mesh."""
