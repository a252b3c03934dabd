"""A test-suite guard: the run fails if tests changed tracked files (they must write into tmp_path or build/).

Checked only when git is available and the tracked tree was clean when the session started. Its hooks are
imported by tests/conftest.py.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

TREE_AT_START = pytest.StashKey[list[str] | None]()


def tracked_changes(root: Path) -> list[str] | None:
    """`git status` lines of tracked files; None without git or outside a git work tree."""
    try:
        r = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=60,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return r.stdout.splitlines() if r.returncode == 0 else None


def pytest_sessionstart(session: pytest.Session) -> None:
    session.stash[TREE_AT_START] = tracked_changes(session.config.rootpath)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Fail the run if tests changed tracked files (checked only when the tree was clean at the start)."""
    if session.stash.get(TREE_AT_START, None) != []:
        return
    # `make screenshots` rewrites docs/screenshots on purpose
    root = session.config.rootpath
    allowed = os.environ.get("SHOPMATE_SCREENSHOTS_DIR")
    allowed_dir = (root / allowed).resolve() if allowed else None
    changed = [
        line
        for line in tracked_changes(root) or []
        if allowed_dir is None or not (root / line[3:].split(" -> ")[-1]).resolve().is_relative_to(allowed_dir)
    ]
    if changed:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.write_line(
                "FAILED: tracked files changed during the test run (tests must write into tmp_path or build/; "
                "or a file was edited while the tests ran):",
                red=True,
            )
            for line in changed:
                reporter.write_line(f"  {line}", red=True)
