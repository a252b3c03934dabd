"""Benchmark records name files relative to the checkout, never by this machine's absolute paths."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

from bench.paths import ROOT, shown, shown_argv, tree


def test_paths_are_shown_relative_to_the_checkout_or_beside_it():
    assert shown(ROOT / "data" / "index") == "data/index"
    assert shown(ROOT.parent / "shared" / "data" / "x.csv") == "../shared/data/x.csv"
    assert shown(Path(tempfile.gettempdir()) / "bench-x" / "out.json") == "$TMPDIR/bench-x/out.json"
    assert shown("data/catalog/tiny.csv") == "data/catalog/tiny.csv"  # already relative: as given
    argv = shown_argv(["--out", str(ROOT / "bench" / "tmp" / "o.json"), "--k", "10"])
    assert argv == ["--out", "bench/tmp/o.json", "--k", "10"]


def test_the_tree_is_named_by_branch_and_commit_not_by_its_folder(tmp_path):
    got = tree(ROOT)
    commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    assert got.startswith("branch ") and commit.stdout.strip() in got and str(ROOT) not in got
    assert tree(tmp_path).startswith("unknown")  # not a checkout: said, not guessed


def test_committed_records_hold_no_absolute_path_of_this_checkout():
    ask = ["git", "-C", str(ROOT), "ls-files", "bench", "docs", "data"]
    files = subprocess.run(ask, capture_output=True, text=True)
    leaks = []
    for name in files.stdout.split():
        p = ROOT / name
        if p.suffix in {".json", ".md", ".jsonl", ".txt"} and p.is_file():
            text = p.read_text(errors="replace")
            if str(ROOT.parent) + "/" in text:
                leaks.append(name)
    assert leaks == []
