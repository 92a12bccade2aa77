from __future__ import annotations

import os

# One BLAS thread per process, set before anything imports numpy. The server's parallelism is
# its processes (Celery workers, ASGI servers); numpy's work here is on 3x3 to 74x64 matrices,
# where OpenBLAS's own thread pool only spins against the other processes: with it, a Celery
# child spent 12 ms of CPU per frame instead of 7 (bench/capacity.py, docs/PERFORMANCE.md).
for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")

from glair_clone.celery import app as celery_app  # noqa: E402

__all__ = ["celery_app"]
