#!/usr/bin/env python3.11
"""Install and run glair-clone with nothing but Python 3.11.

    python3.11 dev.py start   # install, migrate, create the demo merchant, serve on :8000
    python3.11 dev.py test    # install, run the whole test suite (SQLite, then PostgreSQL)

The virtual environment lives in .venv; it is (re)installed whenever pyproject.toml changes.
"""

from __future__ import annotations

import hashlib
import os
import socket
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
PY = VENV / "bin" / "python"
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
POSTGRES_TEST_URL = os.environ.get("TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/test")
REDIS_TEST_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
# What CI needs from Debian for the browser tests: a real Chromium and ffmpeg for the clips.
SYSTEM_PACKAGES = {"chromium": "/usr/bin/chromium", "ffmpeg": "/usr/bin/ffmpeg"}


def run(*cmd: str | Path, env: dict[str, str] | None = None, check: bool = True) -> int:
    print("+", " ".join(str(c) for c in cmd), flush=True)
    return subprocess.run([str(c) for c in cmd], cwd=ROOT, env=env, check=check).returncode


def install() -> None:
    if sys.version_info[:2] != (3, 11):
        sys.exit(f"glair-clone needs Python 3.11 (this is {sys.version.split()[0]})")
    if not PY.exists():
        run(sys.executable, "-m", "venv", VENV)
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()[:16]
    stamp = VENV / f".installed-{digest}"
    if stamp.exists():
        return
    run(PY, "-m", "pip", "install", "--quiet", "--upgrade", "pip")
    run(PY, "-m", "pip", "install", "--quiet", "-e", ".[dev]")
    # mediapipe drags in opencv-contrib-python (needs libGL); put the headless cv2 back on top.
    run(
        PY,
        "-m",
        "pip",
        "install",
        "--quiet",
        "--force-reinstall",
        "--no-deps",
        "opencv-python-headless==4.11.0.86",
    )
    for old in VENV.glob(".installed-*"):
        old.unlink()
    stamp.touch()


def install_system_packages() -> None:
    missing = [name for name, path in SYSTEM_PACKAGES.items() if not Path(path).exists()]
    if not missing:
        return
    if not IN_CI and os.geteuid() != 0:
        print(f"note: {', '.join(missing)} not installed; browser tests will be skipped")
        return
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    run("apt-get", "update", "-qq", env=env)
    run("apt-get", "install", "-y", "-qq", *missing, env=env)


def reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=2):
            return True
    except OSError:
        return False


def start(args: list[str]) -> None:
    install()
    host = os.environ.get("HOST", "127.0.0.1")
    port = os.environ.get("PORT", "8000")
    env = dict(os.environ)
    run(PY, "manage.py", "migrate", "--verbosity", "0", env=env)
    run(PY, "manage.py", "demo_setup", "--base-url", f"http://{host}:{port}", env=env)
    os.execve(
        str(PY), [str(PY), "manage.py", "runserver", f"{host}:{port}", "--noreload", *args], env
    )


def test(args: list[str]) -> None:
    install()
    install_system_packages()
    base_env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    base_env.pop("DATABASE_URL", None)
    base_env.setdefault("TEST_REDIS_URL", REDIS_TEST_URL)
    print("\n=== pass 1: whole suite, embedded default (SQLite) ===", flush=True)
    first = run(PY, "-m", "pytest", *args, env=base_env, check=False)
    print("\n=== pass 2: persistence and API against PostgreSQL ===", flush=True)
    if not reachable("127.0.0.1", 5432) and "127.0.0.1:5432" in POSTGRES_TEST_URL:
        if IN_CI:
            print("PostgreSQL is not reachable at 127.0.0.1:5432 (CI=true: that is a failure)")
            sys.exit(1)
        print("PostgreSQL is not reachable at 127.0.0.1:5432: PostgreSQL pass skipped")
        sys.exit(first)
    pg_env = {**base_env, "DATABASE_URL": POSTGRES_TEST_URL, "GLAIR_EXPECT_DB": "postgresql"}
    second = run(PY, "-m", "pytest", "-m", "postgres", *args, env=pg_env, check=False)
    sys.exit(first or second)


def main() -> None:
    commands = {"start": start, "test": test}
    if len(sys.argv) < 2 or sys.argv[1] not in commands:
        sys.exit(__doc__)
    commands[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    main()
