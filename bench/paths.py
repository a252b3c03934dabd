"""How a benchmark record names files and code: relative to the repository (or to the folder beside it, where
the shared data sits), never as this machine's absolute path, so records read the same on every checkout."""

from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def shown(path: str | Path) -> str:
    """path as a record shows it: relative to the repository, "../" + relative to its parent folder, "$TMPDIR/..."
    for temporary files, else its name alone."""
    p = Path(path)
    if not p.is_absolute():
        return str(p)
    p = Path(os.path.abspath(p))
    for base, prefix in ((ROOT, ""), (ROOT.parent, "../")):
        if p.is_relative_to(base):
            return prefix + str(p.relative_to(base))
    tmp = Path(tempfile.gettempdir())
    if p.is_relative_to(tmp):
        return "$TMPDIR/" + str(p.relative_to(tmp))
    return p.name


def shown_argv(argv: list[str]) -> list[str]:
    """A command line with its absolute paths shown as above."""
    return [shown(a) if a.startswith(os.sep) else a for a in argv]


def tree(path: str | Path) -> str:
    """The code a figure was measured on: "branch <name> <short commit>" (+ " with local changes"), from git."""
    asks = (["rev-parse", "--abbrev-ref", "HEAD"], ["rev-parse", "--short", "HEAD"], ["status", "-s", "-uno"])
    try:
        branch, commit, dirty = (
            subprocess.run(["git", "-C", str(path), *a], capture_output=True, text=True, timeout=10).stdout.strip()
            for a in asks
        )
    except (OSError, subprocess.SubprocessError):
        return "unknown (no git)"
    if not commit:
        return "unknown (not a git checkout)"
    return f"branch {branch} {commit}" + (" with local changes" if dirty else "")
