"""bench/external.py runs the feature scripts' main() as they are: here on small stand-in scripts the test writes."""

from pathlib import Path

from bench import external

SCRIPT = """import argparse, json
def main(argv=None, *, embedder=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--out")
    ap.add_argument("--index-dir")
    ap.add_argument("--quick", action="store_true")
    a = ap.parse_args(argv)
    if a.out:
        json.dump({"quick": a.quick, "index_dir": a.index_dir, "score": 0.5, "embedder": embedder}, open(a.out, "w"))
    return 0
"""


def run(tmp_path: Path, name: str, text: str | None, quick: bool = True, shared: dict | None = None) -> dict:
    path = tmp_path / f"{name}.py"
    if text is not None:
        path.write_text(text)
    return external.run_one(name, str(path), quick, tmp_path / "idx", None, None, shared)


def test_missing_script_is_not_available(tmp_path):
    r = run(tmp_path, "absent", None)
    assert r["status"] == "not available" and "does not exist" in r["reason"]


def test_declared_flags_and_accepted_shared_objects_are_passed(tmp_path):
    r = run(tmp_path, "demo", SCRIPT, shared={"embedder": "the loaded model", "server": "not accepted by demo"})
    assert r["status"] == "ok"
    assert r["results"] == {
        "quick": True,
        "index_dir": str(tmp_path / "idx"),
        "score": 0.5,
        "embedder": "the loaded model",
    }
    assert run(tmp_path, "demo", SCRIPT, quick=False)["results"]["quick"] is False


def test_json_on_stdout_is_used_when_there_is_no_out_flag(tmp_path):
    r = run(
        tmp_path,
        "printer",
        'import json\ndef main(argv):\n    print("log line")\n    print(json.dumps({"a": {"b": 1}}))\n',
    )
    assert r["status"] == "ok" and r["results"] == {"a": {"b": 1}}


def test_a_failing_script_is_reported_with_its_error(tmp_path):
    r = run(tmp_path, "exits", 'def main(argv):\n    raise SystemExit("index missing: build it first")\n')
    assert r["status"] == "failed" and "index missing" in r["reason"]
    r = run(tmp_path, "raises", 'def main(argv):\n    raise RuntimeError("no such column: price")\n')
    assert r["status"] == "failed" and "RuntimeError: no such column: price" in r["reason"]


def test_only_selected_scripts_run(tmp_path):
    out = external.run_all(True, tmp_path, None, None, only=set())
    assert set(out) == set(external.SCRIPTS) and {v["status"] for v in out.values()} == {"skipped"}
