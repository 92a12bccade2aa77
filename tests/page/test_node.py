"""The page's own unit tests (tests/page/*.test.mjs), run by Node's built-in test runner."""

from __future__ import annotations

import subprocess

from tests.page.conftest import PAGE_TESTS, ROOT


def test_the_page_modules_pass_their_node_tests(node: str) -> None:
    done = subprocess.run(
        [node, "--test", f"{PAGE_TESTS}/"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, f"node --test failed:\n{done.stdout}\n{done.stderr}"
    assert "# fail 0" in done.stdout, done.stdout
