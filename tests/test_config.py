"""Project configuration: finding, reading and validating `odyc.toml` / `[tool.odyc]`, and
the command line on top of it (the CLI runs as a subprocess)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from odyssey_dsl.config import ConfigError, ConfigResolver, Overrides, find_config_file
from odyssey_dsl.config.reading import read_config_file
from odyssey_dsl.config.settings import settings_from_file
from tests.cli_support import odyc_env, run_odyc

THREE_WARNINGS = (
    'let unused = 1\nat 0s: start "a"\nat 1s: interact "b"\nat 1050ms: interact "b"\nat 3s: end\n'
)
"""W101 (1:5), W102 (4:1) and W103 (4:20)."""


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def odyc(tmp_path: Path, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return run_odyc(args, odyc_env(None, tmp_path / "state"), cwd=cwd or tmp_path)


def reported(completed: subprocess.CompletedProcess[str]) -> list[str]:
    return [d["code"] for d in json.loads(completed.stdout)]


# --- discovery -----------------------------------------------------------------------------


def test_the_nearest_configuration_wins(tmp_path: Path) -> None:
    write(tmp_path / "odyc.toml", 'ignore = ["W101"]\n')
    write(tmp_path / "a" / "pyproject.toml", '[tool.odyc]\nignore = ["W102"]\n')
    write(tmp_path / "a" / "b" / "pyproject.toml", '[project]\nname = "x"\n')  # skipped
    found = find_config_file(tmp_path / "a" / "b")
    assert found is not None and found.path == tmp_path / "a" / "pyproject.toml"
    assert found.values == {"ignore": ("W102",)}
    top = find_config_file(tmp_path)
    assert top is not None and top.path == tmp_path / "odyc.toml"


def test_odyc_toml_comes_before_pyproject_in_one_folder(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", "[tool.odyc]\nwerror = true\n")
    write(tmp_path / "odyc.toml", "werror = false\n")
    found = find_config_file(tmp_path)
    assert found is not None and found.path.name == "odyc.toml"


def test_a_pyproject_that_mentions_odyc_elsewhere_is_skipped(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[project.scripts]\nodyc = "x:y"\n')
    assert find_config_file(tmp_path) is None


def test_the_resolver_reads_each_folder_once_and_sees_explicit_and_isolated(
    tmp_path: Path,
) -> None:
    config = write(tmp_path / "odyc.toml", 'select = ["W103"]\nmin-gap = "1s"\n')
    scene = tmp_path / "x" / "y" / "s.ody"
    resolver = ConfigResolver()
    first = resolver.settings_for(scene)
    assert first.config_file == config and first.min_gap_ms == 1000
    config.write_text('select = ["W101"]\n', encoding="utf-8")
    assert resolver.settings_for(tmp_path / "x" / "s.ody") is first  # cached for the run
    assert ConfigResolver().settings_for(scene).select == ("W101",)  # a new run sees it
    assert ConfigResolver(isolated=True).settings_for(scene).config_file is None
    other = write(tmp_path / "elsewhere.toml", "max-entries = 5\n")
    assert ConfigResolver(explicit=other).settings_for(scene).max_entries == 5
    with pytest.raises(ConfigError, match="cannot be used together"):
        ConfigResolver(explicit=other, isolated=True)


# --- validation ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('selct = ["W1"]\n', "unknown key `selct` (did you mean `select`?)"),
        ('ignore = ["E501"]\n', "E501 is an error code; only warnings"),
        ('ignore = ["W9"]\n', "no warning code starts with 'W9'"),
        ('ignore = "W101"\n', "must be a list of warning codes"),
        ('per-file-ignores = { "a/*" = ["E1"] }\n', "`per-file-ignores.a/*`"),
        ("min-gap = 100\n", "a duration needs a unit"),
        ('min-gap = "1x"\n', "must be a duration"),
        ("max-entries = 0\n", "must be a whole number of at least 1"),
        ("max-entries = true\n", "must be a whole number of at least 1, not true"),
        ('werror = "yes"\n', 'must be true or false, not "yes"'),
        ("werror = [1, 2.5]\n", "must be true or false, not [1, 2.5]"),
        ("werror = { a = false }\n", 'must be true or false, not { "a" = false }'),
        ("werror = 07:32:00\n", "must be true or false, not 07:32:00"),
        ("exclude = [1]\n", "must be a list of glob patterns"),
        ("[vars]\n1x = 2\n", "is not a variable name"),
        ("[vars]\nwhen = 1979-05-27\n", "cannot be used"),
        ("[format]\nindent-width = 0\n", "must be a whole number from 1 to 8, not 0"),
        ("[format]\nindent-width = false\n", "must be a whole number from 1 to 8, not false"),
        ('[format]\nline-ending = "cr"\n', 'must be one of "auto", "lf", "crlf", not "cr"'),
        ("[format]\nwidth = 2\n", "unknown key `width` in [format]"),
        ("select = [\n", "is not valid TOML"),
    ],
)
def test_bad_keys_and_values_name_the_file_the_key_and_what_is_allowed(
    tmp_path: Path, text: str, message: str
) -> None:
    path = write(tmp_path / "odyc.toml", text)
    with pytest.raises(ConfigError) as raised:
        read_config_file(path)
    assert str(raised.value).startswith(f"{path}: ")
    assert message in str(raised.value)


def test_every_key_is_read(tmp_path: Path) -> None:
    path = write(
        tmp_path / "pyproject.toml",
        "[tool.odyc]\n"
        'select = ["W1"]\nignore = ["W103"]\nextend-ignore = ["W102"]\n'
        'per-file-ignores = { "drafts/" = ["W101"] }\n'
        'min-gap = "250ms"\nmax-entries = 50\nwerror = true\nexclude = ["old/"]\n'
        '[tool.odyc.vars]\nsubject = "dog"\nn = [1, 2]\n'
        '[tool.odyc.format]\nindent-width = 2\nline-ending = "crlf"\n',
    )
    settings = settings_from_file(read_config_file(path))
    assert settings.select == ("W1",)
    assert settings.min_gap_ms == 250 and settings.max_entries == 50 and settings.werror
    assert settings.variables == {"subject": "dog", "n": [1, 2]}
    assert settings.format.indent_width == 2 and settings.format.line_ending == "crlf"
    assert settings.origin("werror") == str(path) and settings.origin("format.line-ending") == str(
        path
    )
    assert settings.rule_selection(tmp_path / "s.ody").ignore == ("W103", "W102")
    drafts = settings.rule_selection(tmp_path / "drafts" / "deep" / "s.ody")
    assert drafts.ignore == ("W103", "W102", "W101")
    assert settings.is_excluded(tmp_path / "old" / "s.ody")
    assert not settings.is_excluded(tmp_path / "new" / "s.ody")


def test_the_command_line_overrides_the_file(tmp_path: Path) -> None:
    path = write(
        tmp_path / "odyc.toml",
        'ignore = ["W101"]\nextend-ignore = ["W102"]\n[vars]\na = 1\nb = 2\n',
    )
    base = settings_from_file(read_config_file(path))
    merged = Overrides(
        ignore=("W103",), extend_ignore=("W101",), werror=True, variables={"b": (3, "--var")}
    ).apply(base)
    assert merged.ignore == ("W103",) and merged.extend_ignore == ("W102", "W101")
    assert merged.variables == {"a": 1, "b": 3}
    assert merged.origin("ignore") == "--ignore" and merged.origin("vars.b") == "--var"
    assert merged.origin("vars.a") == str(path) and merged.origin("werror") == "--werror"
    assert merged.origin("extend-ignore") == f"{path} and --extend-ignore"


# --- the command line ----------------------------------------------------------------------


def test_check_applies_the_nearest_configuration_to_each_scene(tmp_path: Path) -> None:
    write(tmp_path / "odyc.toml", 'ignore = ["W101"]\n')
    write(tmp_path / "a" / "odyc.toml", 'select = ["W102"]\n')
    write(tmp_path / "top.ody", THREE_WARNINGS)
    write(tmp_path / "a" / "deep" / "inner.ody", THREE_WARNINGS)
    completed = odyc(tmp_path, "check", "--format", "json", "top.ody", "a/deep/inner.ody")
    by_file = [(d["file"], d["code"]) for d in json.loads(completed.stdout)]
    assert by_file == [
        ("top.ody", "W102"),
        ("top.ody", "W103"),
        ("a/deep/inner.ody", "W102"),
    ]
    assert completed.returncode == 0


def test_options_override_the_file_and_isolated_ignores_it(tmp_path: Path) -> None:
    write(tmp_path / "odyc.toml", 'ignore = ["W101"]\nwerror = true\n')
    write(tmp_path / "s.ody", THREE_WARNINGS)
    from_file = odyc(tmp_path, "check", "--format", "json", "s.ody")
    assert reported(from_file) == ["W102", "W103"] and from_file.returncode == 1
    replaced = odyc(tmp_path, "check", "--format", "json", "--ignore", "W102,W103", "s.ody")
    assert reported(replaced) == ["W101"]
    extended = odyc(tmp_path, "check", "--format", "json", "--extend-ignore", "W102", "s.ody")
    assert reported(extended) == ["W103"]
    selected = odyc(
        tmp_path, "check", "--format", "json", "--select", "W10", "--no-werror", "s.ody"
    )
    assert reported(selected) == ["W102", "W103"] and selected.returncode == 0
    isolated = odyc(tmp_path, "check", "--format", "json", "--isolated", "s.ody")
    assert reported(isolated) == ["W101", "W102", "W103"] and isolated.returncode == 0


def test_config_option_names_one_file_for_every_scene(tmp_path: Path) -> None:
    write(tmp_path / "odyc.toml", 'ignore = ["W"]\n')
    shared = write(tmp_path / "shared" / "team.toml", 'select = ["W103"]\n[vars]\nx = 1\n')
    write(tmp_path / "s.ody", THREE_WARNINGS)
    completed = odyc(tmp_path, "check", "--format", "json", "--config", str(shared), "s.ody")
    assert reported(completed) == ["W103"]
    both = odyc(tmp_path, "check", "--config", str(shared), "--isolated", "s.ody")
    assert both.returncode == 2 and "cannot be used together" in both.stderr
    missing = odyc(tmp_path, "check", "--config", "nope.toml", "s.ody")
    assert missing.returncode == 2 and "cannot read nope.toml" in missing.stderr


def test_vars_from_the_configuration_are_defaults(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[tool.odyc]\n[tool.odyc.vars]\nsubject = "dog"\nlen = 2\n')
    write(tmp_path / "s.ody", 'at 0s: start "a {{ subject }}"\nafter 1s: end\n')
    compiled = odyc(tmp_path, "s.ody", "--compact")
    assert json.loads(compiled.stdout)[0]["start"]["prompt"] == "a dog"
    write(tmp_path / "v.json", '{"subject": "cow"}')
    from_file = odyc(tmp_path, "s.ody", "--vars", "v.json", "--compact")
    assert json.loads(from_file.stdout)[0]["start"]["prompt"] == "a cow"
    from_option = odyc(tmp_path, "s.ody", "--vars", "v.json", "--var", "subject=cat", "--compact")
    assert json.loads(from_option.stdout)[0]["start"]["prompt"] == "a cat"


def test_min_gap_max_entries_and_werror_from_the_file_apply_to_compiles(tmp_path: Path) -> None:
    write(tmp_path / "s.ody", THREE_WARNINGS)
    write(tmp_path / "odyc.toml", 'min-gap = "10ms"\nmax-entries = 2\n')
    too_many = odyc(tmp_path, "s.ody")
    assert too_many.returncode == 1 and "E509" in too_many.stderr
    write(tmp_path / "odyc.toml", 'min-gap = "10ms"\nwerror = true\nignore = ["W101"]\n')
    werror = odyc(tmp_path, "s.ody")
    assert werror.returncode == 1 and "error[W103]" in werror.stderr
    assert "W102" not in werror.stderr and werror.stdout == ""


def test_a_bad_configuration_is_a_usage_error(tmp_path: Path) -> None:
    config = write(tmp_path / "odyc.toml", 'ignore = ["E501"]\n')
    write(tmp_path / "s.ody", THREE_WARNINGS)
    for args in (("check", "s.ody"), ("s.ody",)):
        completed = odyc(tmp_path, *args)
        assert completed.returncode == 2
        assert f"odyc: error: {config}: `ignore`" in completed.stderr
        assert "rejected by the API" in completed.stderr
    option = odyc(tmp_path, "check", "--isolated", "--ignore", "E501", "s.ody")
    assert option.returncode == 2 and "E501 is an error code" in option.stderr


def test_show_settings_prints_each_value_and_where_it_came_from(tmp_path: Path) -> None:
    config = write(
        tmp_path / "odyc.toml",
        'ignore = ["W101"]\nper-file-ignores = { "drafts/" = ["W103"] }\n'
        '[vars]\nsubject = "dog"\n[format]\nindent-width = 2\n',
    )
    write(tmp_path / "drafts" / "s.ody", THREE_WARNINGS)
    completed = odyc(
        tmp_path, "check", "--show-settings", "drafts/s.ody", "--min-gap", "1s", "--var", "n=3"
    )
    assert completed.returncode == 0, completed.stderr
    lines = completed.stdout.splitlines()
    assert f"# configuration file: {config}" in lines
    assert "# warnings reported: W102, W104, W105, W106, W107" in lines
    assert "# per-file-ignores matching this file: W103" in lines

    def origin(prefix: str) -> str:
        [line] = [line for line in lines if line.startswith(prefix)]
        return line.rsplit("# ", 1)[1]

    assert origin('ignore = ["W101"]') == str(config)
    assert origin('min-gap = "1s"') == "--min-gap"
    assert origin("max-entries = 10000") == "default"
    assert origin('subject = "dog"') == str(config)
    assert origin("n = 3") == "--var"
    assert origin("indent-width = 2") == str(config)
    assert origin('line-ending = "auto"') == "default"
    # what it prints is TOML that reads back as the same settings
    import tomllib

    shown = tomllib.loads(completed.stdout)
    assert shown["per-file-ignores"] == {"drafts/": ["W103"]}
    assert shown["format"] == {"indent-width": 2, "line-ending": "auto"}
    two = odyc(tmp_path, "check", "--show-settings", "a.ody", "b.ody")
    assert two.returncode == 2 and "exactly one FILE" in two.stderr


def test_configuration_vars_are_defaults_not_checked_overrides(tmp_path: Path) -> None:
    """A project's [vars] serve the scenes that use them; unlike a --var that no scene uses
    (W105: a misspelt name), an unused one is not a warning."""
    write(tmp_path / "odyc.toml", '[vars]\nsubject = "dog"\nunused_here = 1\n')
    write(tmp_path / "s.ody", 'at 0s: start "a {{ subject }}"\nafter 1s: end\n')
    checked = odyc(tmp_path, "check", "--format", "json", "s.ody")
    assert reported(checked) == []
    explicit = odyc(tmp_path, "check", "--format", "json", "--var", "unused_too=2", "s.ody")
    assert reported(explicit) == ["W105"]
    assert "unused_too" in json.loads(explicit.stdout)[0]["message"]
