"""Settings: SHOPMATE_* parsed to their types, bad values refused at start-up with the variable named."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.settings import ROOT, Settings, SettingsError


def test_environment_strings_become_typed_values():
    s = Settings.from_env(
        env={
            "SHOPMATE_PORT": "9001",
            "SHOPMATE_CHAT_RATE_PER_S": "2.5",
            "SHOPMATE_CONSENT_DEFAULT": "off",
            "SHOPMATE_INDEX_DIR": "/srv/index",
            "SHOPMATE_MAPPING": "",
            "SHOPMATE_LOG_LEVEL": "WARNING",
            "SHOPMATE_SQLITE_SYNCHRONOUS": "normal",
        }
    )
    assert (s.port, s.chat_rate_per_s, s.consent_default) == (9001, 2.5, False)
    assert s.index_dir == Path("/srv/index") and s.mapping is None
    assert s.log_level == "warning"  # uvicorn and logging both take the lower-case name
    assert s.sqlite_synchronous == "NORMAL"


def test_explicit_overrides_win_over_the_environment():
    s = Settings.from_env(env={"SHOPMATE_PORT": "9001"}, port=9002)
    assert s.port == 9002


@pytest.mark.parametrize(
    ("variable", "value", "says"),
    [
        ("SHOPMATE_PORT", "abc", "not an integer"),
        ("SHOPMATE_PORT", "0", "> 0"),
        ("SHOPMATE_PORT", "70000", "<= 65535"),
        ("SHOPMATE_EMBED_BATCH_SIZE", "-4", "> 0"),
        ("SHOPMATE_CHAT_IDLE_TIMEOUT_S", "soon", "not a number"),
        ("SHOPMATE_CHAT_RATE_PER_S", "0", "> 0"),
        ("SHOPMATE_HALF_LIFE_DAYS", "nan", "not a finite number"),
        ("SHOPMATE_RETENTION_DAYS", "-1", "> 0"),
        ("SHOPMATE_SEGMENTS_K", "-2", ">= 0"),
        ("SHOPMATE_PROFILE_WEIGHT", "1.5", "<= 1"),
        ("SHOPMATE_LOG_LEVEL", "loud", "not one of"),
        ("SHOPMATE_SQLITE_SYNCHRONOUS", "sometimes", "not one of"),
        ("SHOPMATE_CONSENT_DEFAULT", "maybe", "not one of"),
        ("SHOPMATE_INDEX_DIR", "", "empty"),
    ],
)
def test_a_bad_value_is_refused_naming_its_variable(variable, value, says):
    with pytest.raises(SettingsError) as e:
        Settings.from_env(env={variable: value})
    assert variable in str(e.value) and says in str(e.value)


def test_values_given_in_code_are_checked_too():
    with pytest.raises(SettingsError, match="SHOPMATE_MAX_EVENT_BATCH"):
        Settings.from_env(env={}, max_event_batch=0)
    with pytest.raises(SettingsError, match="SHOPMATE_SEARCH_CANDIDATES"):
        dataclasses.replace(Settings.from_env(env={}), search_candidates=-5)


def test_zero_stays_allowed_where_it_means_off_or_automatic():
    s = Settings.from_env(
        env={"SHOPMATE_SEGMENTS_K": "0", "SHOPMATE_SEGMENTS_REFRESH_S": "0", "SHOPMATE_AUTOCOMPLETE_CACHE_SIZE": "0"}
    )
    assert (s.segments_k, s.segments_refresh_s, s.autocomplete_cache_size) == (0, 0, 0)


def test_required_files_must_exist(tmp_path):
    Settings.from_env(env={}).require_files("catalog", "mapping", "nudges_file", "outfit_rules", "outfit_palette")
    Settings.from_env(env={"SHOPMATE_MAPPING": ""}).require_files("mapping")  # None: not needed
    missing = tmp_path / "rules.json"
    with pytest.raises(SettingsError, match=r"SHOPMATE_OUTFIT_RULES=.*no such file"):
        Settings.from_env(env={"SHOPMATE_OUTFIT_RULES": str(missing)}).require_files("outfit_rules")
    with pytest.raises(SettingsError, match="SHOPMATE_CATALOG"):
        Settings.from_env(env={"SHOPMATE_CATALOG": str(tmp_path)}).require_files("catalog")  # a folder, not a file


def run(args: list[str], **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("SHOPMATE_")}
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env={**clean, "HF_HUB_OFFLINE": "1", **env},
        capture_output=True,
        text=True,
        timeout=180,  # a server that started despite the bad value would be killed here and fail the test
    )


def test_the_server_exits_with_one_line_naming_the_variable():
    r = run(["-m", "assistant"], SHOPMATE_PORT="abc")
    assert r.returncode != 0
    assert "SHOPMATE_PORT" in r.stderr and "Traceback" not in r.stderr
    assert r.stderr.strip().count("\n") == 0, r.stderr


def test_the_server_exits_when_a_rules_file_is_missing(tmp_path):
    r = run(["-m", "assistant"], SHOPMATE_OUTFIT_PALETTE=str(tmp_path / "palette.json"))
    assert r.returncode != 0
    assert "SHOPMATE_OUTFIT_PALETTE" in r.stderr and "Traceback" not in r.stderr


def test_rebuild_index_exits_on_a_bad_setting_and_a_missing_catalog(tmp_path):
    r = run(["scripts/rebuild_index.py", "--index-dir", str(tmp_path / "index")], SHOPMATE_EMBED_BATCH_SIZE="0")
    assert r.returncode != 0 and "SHOPMATE_EMBED_BATCH_SIZE" in r.stderr and "Traceback" not in r.stderr
    r = run(
        ["scripts/rebuild_index.py", "--index-dir", str(tmp_path / "index")], SHOPMATE_CATALOG=str(tmp_path / "x.csv")
    )
    assert r.returncode != 0 and "SHOPMATE_CATALOG" in r.stderr and "Traceback" not in r.stderr
    assert not (tmp_path / "index").exists()


@dataclasses.dataclass(frozen=True)
class WithNewFields(Settings):
    """Settings as another change might extend them: new fields are parsed and checked from their annotations."""

    cap: int | None = None
    ratio: float = 0.5


def test_a_new_field_is_parsed_and_checked_from_its_annotation():
    assert WithNewFields.from_env(env={"SHOPMATE_CAP": "5"}).cap == 5
    assert WithNewFields.from_env(env={"SHOPMATE_CAP": ""}).cap is None
    with pytest.raises(SettingsError, match="SHOPMATE_CAP"):
        WithNewFields.from_env(env={"SHOPMATE_CAP": "-5"})
    with pytest.raises(SettingsError, match="SHOPMATE_RATIO"):
        WithNewFields.from_env(env={"SHOPMATE_RATIO": "half"})
