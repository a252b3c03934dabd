"""The suite's guard (tests/tree_guard.py): a run that changes tracked files fails, naming them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from assistant.settings import ROOT

WRITES_TRACKED = "from pathlib import Path\n\ndef test_writes():\n    Path('tracked.txt').write_text('changed')\n"
WRITES_UNTRACKED = "from pathlib import Path\n\ndef test_writes():\n    Path('scratch.txt').write_text('new')\n"


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args], cwd=repo, check=True)


def repo_with(tmp_path: Path, test_source: str) -> Path:
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    (repo / "tracked.txt").write_text("original")
    (repo / "test_it.py").write_text(test_source)
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "start")
    return repo


def run_pytest(repo: Path, **extra_env: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("SHOPMATE_SCREENSHOTS_DIR", None)
    env.update(extra_env)
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "tests.tree_guard", "-p", "no:cacheprovider", "test_it.py"],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_run_that_changes_a_tracked_file_fails_and_names_it(tmp_path):
    r = run_pytest(repo_with(tmp_path, WRITES_TRACKED))
    assert r.returncode == 1, r.stdout
    assert "tracked files changed" in r.stdout and "tracked.txt" in r.stdout


def test_new_untracked_files_are_not_flagged(tmp_path):
    r = run_pytest(repo_with(tmp_path, WRITES_UNTRACKED))
    assert r.returncode == 0, r.stdout


def test_no_check_when_the_tree_was_not_clean_at_the_start(tmp_path):
    repo = repo_with(tmp_path, WRITES_TRACKED)
    (repo / "tracked.txt").write_text("edited before the run")
    r = run_pytest(repo)
    assert r.returncode == 0, r.stdout


def test_make_screenshots_may_rewrite_only_the_screenshots_folder(tmp_path):
    source = "from pathlib import Path\n\ndef test_writes():\n    Path('shots/a.png').write_text('new look')\n"
    repo = repo_with(tmp_path, source)
    (repo / "shots").mkdir()
    (repo / "shots" / "a.png").write_text("old look")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "a picture")
    assert run_pytest(repo, SHOPMATE_SCREENSHOTS_DIR=str(repo / "shots")).returncode == 0
    git(repo, "checkout", "-q", ".")
    r = run_pytest(repo, SHOPMATE_SCREENSHOTS_DIR=str(repo / "elsewhere"))
    assert r.returncode == 1 and "shots/a.png" in r.stdout
