"""`--format sarif`: a SARIF 2.1.0 log, validated against the SARIF JSON Schema shipped in
`tests/data/sarif/` (offline), with the catalogue as its rules."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from odyssey_dsl import compile_source
from odyssey_dsl.diagnostics import CATALOGUE
from odyssey_dsl.diagnostics.docs import (
    help_uri,
    information_uri,
    parse_project_urls,
    project_urls,
    render_markdown,
)
from odyssey_dsl.diagnostics.sarif import CheckedFile, artifact_uri, render_sarif
from tests.cli_support import odyc_env, run_odyc

PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"
DECLARED_DOCS = {
    label.lower(): address
    for label, address in tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]
    .get("urls", {})
    .items()
}.get("diagnostics")
"""Where pyproject.toml says docs/diagnostics.md is published (None: nowhere)."""
SCHEMA_FILE = Path(__file__).parent / "data" / "sarif" / "sarif-2.1.0-rtm.5.json"
SCHEMA_SHA256 = "2d99159ae54a3eea97f81781cff48780548657c35949f4b7f25e99a2ba4de4f8"

REPEATED = 'at 0s: start "a"\nat 1s: interact "b"\nat 2s: interact "b"{comment}\nat 3s: end\n'


def validate(log: dict[str, Any]) -> None:
    """Raise unless `log` is valid SARIF 2.1.0."""
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    validator = jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker())
    errors = sorted(validator.iter_errors(log), key=lambda e: list(e.path))
    assert errors == [], "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:5])


def odyc(tmp_path: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    if stdin is None:
        return run_odyc(args, odyc_env(None, tmp_path / "state"), cwd=tmp_path)
    return subprocess.run(
        [sys.executable, "-m", "odyssey_dsl", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=odyc_env(None, tmp_path / "state"),
        timeout=60,
    )


def test_the_schema_is_the_shipped_one() -> None:
    assert hashlib.sha256(SCHEMA_FILE.read_bytes()).hexdigest() == SCHEMA_SHA256


def test_the_validator_rejects_what_is_not_sarif() -> None:
    log = json.loads(render_sarif([], working_directory=Path.cwd()))
    validate(log)
    broken = {**log, "runs": [{**log["runs"][0], "columnKind": "bytes"}]}
    with pytest.raises(AssertionError):
        validate(broken)
    # formats are checked too: a rule's helpUri must be an absolute URI
    rule = {**log["runs"][0]["tool"]["driver"]["rules"][0], "helpUri": "docs/diagnostics.md"}
    driver = {**log["runs"][0]["tool"]["driver"], "rules": [rule]}
    relative = {**log, "runs": [{**log["runs"][0], "tool": {"driver": driver}}]}
    with pytest.raises(AssertionError, match="is not a 'uri'"):
        validate(relative)


def test_every_catalogue_example_gives_valid_sarif(tmp_path: Path) -> None:
    files = []
    for code in CATALOGUE.values():
        if code.example:
            result = compile_source(code.example, filename=f"examples/{code.code}.ody")
            files.append(CheckedFile(result.source, result.diagnostics, result.suppressed))
    log = json.loads(render_sarif(files, working_directory=tmp_path))
    validate(log)
    reported = {r["ruleId"] for r in log["runs"][0]["results"]}
    assert reported == {code.code for code in CATALOGUE.values() if code.example}


def test_the_rules_are_the_catalogue_with_links_to_the_docs() -> None:
    log = json.loads(render_sarif([], working_directory=Path.cwd()))
    rules = log["runs"][0]["tool"]["driver"]["rules"]
    assert [rule["id"] for rule in rules] == list(CATALOGUE)
    docs = render_markdown()
    for rule in rules:
        code = CATALOGUE[rule["id"]]
        assert rule["shortDescription"]["text"] == code.summary
        assert code.fix in rule["fullDescription"]["text"]
        assert code.fix in rule["help"]["text"] and code.summary in rule["help"]["text"]
        if DECLARED_DOCS is None:
            assert "helpUri" not in rule  # no address is made up
        else:
            assert rule["helpUri"] == f"{DECLARED_DOCS}#{code.code.lower()}"
        assert f"\n## {code.code}\n" in docs  # the anchor the link points at
        assert rule["defaultConfiguration"]["level"] == code.severity.value


def test_check_writes_valid_sarif_with_regions_uris_and_levels(tmp_path: Path) -> None:
    (tmp_path / "bad.ody").write_text(
        'at 0s: strat "a"\nat 1s interact "b"\nat 2s: end\n', encoding="utf-8"
    )
    (tmp_path / "sub dir").mkdir()
    (tmp_path / "sub dir" / "é.ody").write_text(REPEATED.format(comment=""), encoding="utf-8")
    completed = odyc(tmp_path, "check", "--format", "sarif", "bad.ody", "sub dir/é.ody")
    assert completed.returncode == 1
    log = json.loads(completed.stdout)
    validate(log)
    [run] = log["runs"]
    assert run["columnKind"] == "unicodeCodePoints"
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == tmp_path.absolute().as_uri() + "/"
    plain = json.loads(
        odyc(tmp_path, "check", "--format", "json", "bad.ody", "sub dir/é.ody").stdout
    )
    assert len(run["results"]) == len(plain) == 3
    for result, expected in zip(run["results"], plain, strict=True):
        assert result["ruleId"] == expected["code"]
        assert result["level"] == expected["severity"]
        assert result["message"]["text"].startswith(expected["message"])
        location = result["locations"][0]["physicalLocation"]
        assert location["region"] == {
            "startLine": expected["line"],
            "startColumn": expected["column"],
            "endLine": expected["end_line"],
            "endColumn": expected["end_column"],
        }
        assert location["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
    uris = [
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"]
    ]
    assert uris == ["bad.ody", "bad.ody", "sub%20dir/%C3%A9.ody"]
    assert run["results"][0]["ruleIndex"] == list(CATALOGUE).index("E105")


def test_uris_outside_the_working_directory_are_absolute(tmp_path: Path) -> None:
    assert artifact_uri("a/../b.ody", tmp_path) == {"uri": "b.ody", "uriBaseId": "%SRCROOT%"}
    outside = artifact_uri("../x.ody", tmp_path / "w")
    assert outside == {"uri": (tmp_path / "x.ody").as_uri()}
    assert artifact_uri("<stdin>", tmp_path) == {"uri": "%3Cstdin%3E"}


def test_fingerprints_survive_lines_added_above_and_tell_twins_apart(tmp_path: Path) -> None:
    twins = 'at 0s: start "a"\nat 1s: interact "b"\nat 2s: interact "b"\nat 3s: interact "b"\nat 4s: end\n'

    def prints(text: str) -> list[str]:
        result = compile_source(text, filename="s.ody")
        log = json.loads(
            render_sarif(
                [CheckedFile(result.source, result.diagnostics)], working_directory=Path.cwd()
            )
        )
        return [r["partialFingerprints"]["odycLineHash/v1"] for r in log["runs"][0]["results"]]

    before = prints(twins)
    assert len(before) == len(set(before)) == 2  # two W103 on identical lines
    assert prints("# a new comment\n\n" + twins) == before
    assert prints(twins.replace("at 3s", "at 3500ms")) != before


def test_suppressed_findings_only_with_show_suppressed(tmp_path: Path) -> None:
    (tmp_path / "s.ody").write_text(
        REPEATED.format(comment="  # odyc: ignore[W103]"), encoding="utf-8"
    )
    quiet = json.loads(odyc(tmp_path, "check", "--format", "sarif", "s.ody").stdout)
    assert quiet["runs"][0]["results"] == []
    shown = odyc(tmp_path, "check", "--format", "sarif", "--show-suppressed", "s.ody")
    assert shown.returncode == 0
    log = json.loads(shown.stdout)
    validate(log)
    [result] = log["runs"][0]["results"]
    assert result["ruleId"] == "W103"
    [suppression] = result["suppressions"]
    assert suppression["kind"] == "inSource"
    assert suppression["location"]["physicalLocation"]["region"]["startColumn"] == 22
    as_json = json.loads(
        odyc(tmp_path, "check", "--format", "json", "--show-suppressed", "s.ody").stdout
    )
    assert [(d["code"], d["suppressed"]) for d in as_json] == [("W103", True)]
    assert json.loads(odyc(tmp_path, "check", "--format", "json", "s.ody").stdout) == []


def test_a_compile_sends_sarif_to_stderr_when_stdout_has_the_json(tmp_path: Path) -> None:
    (tmp_path / "s.ody").write_text(REPEATED.format(comment=""), encoding="utf-8")
    completed = odyc(tmp_path, "s.ody", "--format", "sarif")
    assert completed.returncode == 0
    assert json.loads(completed.stdout)[0]["timestamp_ms"] == 0
    log = json.loads(completed.stderr)
    validate(log)
    assert [r["ruleId"] for r in log["runs"][0]["results"]] == ["W103"]
    from_stdin = odyc(
        tmp_path, "check", "--format", "sarif", "-", stdin=REPEATED.format(comment="")
    )
    stdin_log = json.loads(from_stdin.stdout)
    validate(stdin_log)
    location = stdin_log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": "%3Cstdin%3E"}


def test_links_come_only_from_the_projects_declared_urls() -> None:
    urls = parse_project_urls(
        ["Homepage, https://example.org/odyc", "Diagnostics, https://example.org/d.html"]
    )
    assert urls == {
        "homepage": "https://example.org/odyc",
        "diagnostics": "https://example.org/d.html",
    }
    assert help_uri("E501", urls) == "https://example.org/d.html#e501"
    assert information_uri(urls) == "https://example.org/odyc"
    assert help_uri("E501", {}) is None and information_uri({}) is None
    driver = json.loads(render_sarif([], working_directory=Path.cwd()))["runs"][0]["tool"]["driver"]
    assert driver.get("informationUri") == information_uri(project_urls())
