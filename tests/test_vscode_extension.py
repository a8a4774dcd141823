"""The VS Code extension (editors/vscode), checked with its real tools.

- The TextMate grammar, run by vscode-tmgrammar-test: snapshots of every scene in `examples/`
  (`editors/vscode/test/snapshots`, made by `tests/update_vscode_snapshots.py`) and the scope
  assertions of `editors/vscode/test/grammar/*.ody`; and, with hypothesis, against odyc's own
  lexer (grammar/ody.lark) and string reader: a word is a keyword, a duration, a number or a
  name for both, and a string's escapes are invalid for both.
- The TypeScript compiles (tsc), its unit tests pass (node's test runner), the durations the
  timeline preview writes parse back in odyc, and `vsce package` builds a `.vsix` with what
  the extension runs.

The npm dependencies come from the extension's lock file (`npm ci`, see `vscode_support`).
These tests skip only where node or npm are missing.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import tomllib
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from vscode_support import (
    EXTENSION,
    REPO,
    SNAPSHOTS,
    InstallError,
    NodeMissingError,
    example_scenes,
    install_dependencies,
    node_and_npm,
    run_snapshots,
    stage_snapshots,
    tool,
)

from odyssey_dsl import compile_file
from odyssey_dsl.syntax.durations import DurationError, parse_duration
from odyssey_dsl.syntax.grammar import grammar_path, statement_parser
from odyssey_dsl.syntax.literals import find_escape_errors

# npm ci on a fresh machine can take minutes; the per-test default is 120 s.
pytestmark = pytest.mark.timeout(900)

GRAMMAR_TESTS = sorted((EXTENSION / "test" / "grammar").glob("*.ody"))


@pytest.fixture(scope="session")
def node() -> str:
    """node, with the extension's npm dependencies installed."""
    try:
        node, _ = node_and_npm()
    except NodeMissingError as missing:
        pytest.skip(str(missing))
    try:
        install_dependencies()
    except InstallError as failure:
        pytest.fail(str(failure))
    return node


def run(
    command: list[str], *, input: str | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """A command run in the extension's folder."""
    return subprocess.run(
        command,
        cwd=EXTENSION,
        input=input,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


# --- the grammar ----------------------------------------------------------------------------


def test_every_example_has_a_snapshot_and_every_snapshot_an_example() -> None:
    scenes = {scene.name for scene in example_scenes()}
    snapshots = {path.name.removesuffix(".snap") for path in SNAPSHOTS.glob("*.snap")}
    assert scenes, "no examples found"
    assert scenes - snapshots == set(), "run tests/update_vscode_snapshots.py to add snapshots"
    assert snapshots - scenes == set(), "snapshots of scenes that no longer exist"


def test_grammar_matches_the_snapshot_of_every_example(node: str, tmp_path: Path) -> None:
    staged = stage_snapshots(tmp_path)
    done = run_snapshots(tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    # A scene without a snapshot would pass by writing one: the test above catches that too.
    assert "Generating snapshot" not in done.stdout
    assert len(staged) == len(example_scenes())


def test_a_snapshot_that_disagrees_with_the_grammar_fails(node: str, tmp_path: Path) -> None:
    scene = stage_snapshots(tmp_path)[0]
    snapshot = scene.with_name(f"{scene.name}.snap")
    text = snapshot.read_text(encoding="utf-8")
    assert "keyword.other.action.ody" in text
    snapshot.write_text(text.replace("keyword.other.action.ody", "variable.other.ody", 1))
    done = run_snapshots(tmp_path)
    assert done.returncode != 0
    assert scene.name in done.stdout


def test_grammar_scope_assertions(node: str) -> None:
    assert GRAMMAR_TESTS, "no grammar tests in editors/vscode/test/grammar"
    done = run([node, str(tool("vscode-tmgrammar-test")), "--compact", "test/grammar/*.ody"])
    assert done.returncode == 0, done.stdout + done.stderr
    for test in GRAMMAR_TESTS:
        assert f"test/grammar/{test.name} run successfuly" in done.stdout


def test_a_wrong_scope_assertion_is_reported(node: str, tmp_path: Path) -> None:
    case = tmp_path / "wrong.ody"
    case.write_text(
        '# SYNTAX TEST "source.ody" "a deliberately wrong assertion"\n'
        "let atx = 3s\n"
        "#   ^^^ keyword.control.time.ody\n",
        encoding="utf-8",
    )
    done = run([node, str(tool("vscode-tmgrammar-test")), "--compact", str(case)])
    assert done.returncode != 0
    assert "wrong.ody:2:5:8" in done.stdout  # source line 2, columns 5 to 8
    assert "keyword.control.time.ody" in done.stdout


@dataclass(frozen=True)
class Token:
    start: int
    end: int
    scopes: tuple[str, ...]


class Tokenizer:
    """VS Code's engine with the extension's grammar, in one node process (test/tokenize.js)."""

    def __init__(self, node: str) -> None:
        self.process = subprocess.Popen(
            [node, "test/tokenize.js"],
            cwd=EXTENSION,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            encoding="utf-8",
        )

    def __call__(self, lines: list[str]) -> list[list[Token]]:
        """Each line's tokens, each line read on its own."""
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(json.dumps(lines) + "\n")
        self.process.stdin.flush()
        answer = self.process.stdout.readline()
        assert answer, f"the tokenizer stopped (exit code {self.process.poll()})"
        return [
            [Token(s, e, tuple(scopes)) for s, e, scopes in line] for line in json.loads(answer)
        ]

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=30)


@pytest.fixture(scope="session")
def tokenize(node: str) -> Iterator[Tokenizer]:
    tokenizer = Tokenizer(node)
    yield tokenizer
    tokenizer.close()


KEYWORDS = re.findall(r"^_\w+\.\d+: /(\w+)\\b/", grammar_path().read_text(encoding="utf-8"), re.M)

# The kind of word each lexer terminal of grammar/ody.lark is, and each grammar scope.
LEXER_KINDS = {"NAME": "name", "NUMBER": "number", "DURATION": "duration"}
SCOPE_KINDS = [
    ("invalid.illegal.duration.ody", "malformed duration"),
    ("constant.numeric.duration.ody", "duration"),
    ("constant.numeric.integer.ody", "number"),
    ("constant.numeric.float.ody", "number"),
    ("constant.language.boolean.ody", "keyword"),
    ("variable.other.ody", "name"),
    ("keyword.", "keyword"),
    ("storage.type.let.ody", "keyword"),
]


def lexer_kind(word: str) -> str | None:
    """What odyc's lexer reads `word` as, or None when it is not one token."""
    try:
        tokens = list(statement_parser().lex(word))
    except Exception:  # the lexer's errors: the word is not a token
        return None
    if len(tokens) != 1 or str(tokens[0]) != word:
        return None
    kind = LEXER_KINDS.get(tokens[0].type, "keyword")
    if kind == "duration":
        try:
            parse_duration(word)
        except DurationError as error:
            # E108 (not whole milliseconds) is a fine-looking literal; E106 is malformed.
            return "malformed duration" if error.code == "E106" else "duration"
    return kind


def grammar_kind(tokens: list[Token], word: str) -> str:
    """What the grammar makes of a line holding only `word`: one kind over all of it, or why not."""
    if not tokens or tokens[0].start != 0 or tokens[-1].end != len(word):
        return "not covered"
    kinds = set()
    for token in tokens:
        kind = next(
            (
                kind
                for prefix, kind in SCOPE_KINDS
                if any(s.startswith(prefix) for s in token.scopes)
            ),
            "plain",
        )
        kinds.add(kind)
    return kinds.pop() if len(kinds) == 1 else " + ".join(sorted(kinds))


WORDS = st.one_of(
    st.from_regex(
        r"\A[0-9]{1,3}(\.[0-9]{1,2})?(ms|h|m|s)([0-9]{1,2}(\.[0-9])?(ms|h|m|s)){0,3}[a-z.]{0,2}\Z"
    ),
    st.from_regex(r"\A-?[0-9]{1,4}(\.[0-9]{1,3})?\Z"),
    st.from_regex(r"\A[A-Za-z_][A-Za-z0-9_]{0,8}\Z"),
    st.builds(str.__add__, st.sampled_from(KEYWORDS), st.from_regex(r"\A[a-z0-9_]{0,3}\Z")),
)


@settings(max_examples=40, deadline=None)
@given(words=st.lists(WORDS, min_size=10, max_size=40))
def test_grammar_reads_words_as_the_odyc_lexer_does(tokenize: Tokenizer, words: list[str]) -> None:
    read = [(word, lexer_kind(word)) for word in words]
    read = [(word, kind) for word, kind in read if kind is not None]
    assume(read)
    tokenized = tokenize([word for word, _ in read])
    for (word, kind), tokens in zip(read, tokenized, strict=True):
        assert grammar_kind(tokens, word) == kind, (word, tokens)


def test_the_keywords_are_the_lexers() -> None:
    assert set(KEYWORDS) == {
        "at", "after", "let", "repeat", "every", "for", "in", "script", "portrait",
        "start", "interact", "end", "with", "image", "true", "false",
    }  # fmt: skip


STRING_PIECES = st.sampled_from(
    [
        "a", " ", "#", "'", "{", "}", "{{ x }}", "{% if x %}", "{# note #}", "{{", "}}", "%}",
        '\\"', "\\\\", "\\n", "\\t", "\\u{1F408}", "\\u{41}", "\\u{10FFFF}", "\\u{0000041}",
        "\\q", "\\u", "\\u{}", "\\x", "\\'", "\\u{110000}", "\\u{D800}", "\\u{dbff}", "0", "f",
    ]
)  # fmt: skip


@settings(max_examples=40, deadline=None)
@given(
    contents=st.lists(st.lists(STRING_PIECES, max_size=12).map("".join), min_size=5, max_size=20)
)
def test_grammar_ends_strings_and_flags_escapes_as_odyc_does(
    tokenize: Tokenizer, contents: list[str]
) -> None:
    prefix = 'interact "'
    lines = [f'{prefix}{content}" # after' for content in contents]
    for content in contents:  # odyc reads each as one string literal
        tokens = list(statement_parser().lex(f'"{content}"'))
        assert [token.type for token in tokens] == ["STRING"], content
    for content, tokens in zip(contents, tokenize(lines), strict=True):
        closing = len(prefix) + len(content)
        flagged = {
            token.start - len(prefix)
            for token in tokens
            if "invalid.illegal.unknown-escape.ody" in token.scopes
        }
        assert flagged == {error.offset for error in find_escape_errors(content)}, content
        string_end = [t for t in tokens if "punctuation.definition.string.end.ody" in t.scopes]
        assert [(t.start, t.end) for t in string_end] == [(closing, closing + 1)], content
        inside = [t for t in tokens if len(prefix) <= t.start < closing]
        assert all("string.quoted.double.ody" in t.scopes for t in inside), content
        assert all("comment.line.number-sign.ody" not in t.scopes for t in inside), content
        assert "comment.line.number-sign.ody" in tokens[-1].scopes, content


# --- the TypeScript -------------------------------------------------------------------------


@dataclass(frozen=True)
class Compiled:
    result: subprocess.CompletedProcess[str]
    out: Path

    def require(self) -> Path:
        assert self.result.returncode == 0, self.result.stdout + self.result.stderr
        return self.out


@pytest.fixture(scope="session")
def compiled(node: str, tmp_path_factory: pytest.TempPathFactory) -> Compiled:
    """The extension compiled by tsc with its tsconfig, into a temporary folder."""
    out = tmp_path_factory.mktemp("vscode-out")
    result = run([node, str(tool("tsc")), "-p", ".", "--outDir", str(out)])
    return Compiled(result, out)


def evaluate(node: str, compiled: Compiled, name: str, expression: str, value: object) -> Any:
    """The JSON value of a JavaScript `expression` over the compiled module `name` (as `module`)
    and `value` (sent as JSON)."""
    script = (
        f"const module = require({json.dumps(str(compiled.require() / f'{name}.js'))});"
        "const value = JSON.parse(require('fs').readFileSync(0, 'utf8'));"
        f"process.stdout.write(JSON.stringify({expression}));"
    )
    done = run([node, "-e", script], input=json.dumps(value))
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_typescript_compiles(compiled: Compiled) -> None:
    out = compiled.require()
    assert (out / "extension.js").is_file()
    assert (out / "webview" / "timeline.js").is_file()


def test_extension_unit_tests_pass(node: str, compiled: Compiled) -> None:
    tests = sorted((compiled.require() / "test").glob("*.test.js"))
    assert len(tests) >= 8
    done = run(
        [node, "--test", *map(str, tests)], env={**os.environ, "ODY_EXTENSION_ROOT": str(EXTENSION)}
    )
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr
    assert re.search(r"^# fail 0$", done.stdout, re.M)
    passed = re.search(r"^# pass (\d+)$", done.stdout, re.M)
    assert passed is not None and int(passed.group(1)) >= 30


@settings(max_examples=3, deadline=None)
@given(
    times=st.lists(
        st.one_of(st.integers(0, 10**4), st.integers(0, 10**8), st.integers(0, 2**53 - 1)),
        min_size=50,
        max_size=150,
    )
)
def test_preview_durations_parse_back_in_odyc(
    node: str, compiled: Compiled, times: list[int]
) -> None:
    written = evaluate(
        node, compiled, "durations", "value.map((ms) => module.formatDuration(ms))", times
    )
    for ms, text in zip(times, written, strict=True):
        assert parse_duration(text) == ms, text


# --- the documents ---------------------------------------------------------------------------


def lsp_doc_example() -> tuple[str, dict[str, Any]]:
    """The scene and the `ody/timeline` result of the example in docs/lsp.md."""
    doc = (REPO / "docs" / "lsp.md").read_text(encoding="utf-8")
    example = doc[doc.index("**Example.**") :]
    scene = re.search(r"```\n(.*?)```", example, re.S)
    result = re.search(r"```json\n(.*?)```", example, re.S)
    assert scene is not None and result is not None
    return scene.group(1), json.loads(result.group(1))


def test_the_timeline_example_of_docs_lsp_is_what_odyc_compiles(tmp_path: Path) -> None:
    scene, result = lsp_doc_example()
    path = tmp_path / "fox.ody"
    path.write_text(scene, encoding="utf-8")
    compiled = compile_file(path)
    assert compiled.ok and compiled.job is not None and compiled.job.script is not None
    [script] = result["scripts"]
    entries = script["entries"]
    expected = []
    for entry in compiled.job.script:
        kind = next(k for k in ("start", "interact", "end") if getattr(entry, k) is not None)
        prompt = getattr(getattr(entry, kind), "prompt", None)
        expected.append((entry.timestamp_ms, kind, prompt))
    assert [(e["timeMs"], e["kind"], e["prompt"]) for e in entries] == expected
    assert all(parse_duration(e["time"]) == e["timeMs"] for e in entries)
    assert script["durationMs"] == entries[-1]["timeMs"]
    lines = scene.splitlines()
    for entry in [*entries, *script["streams"]]:
        start, end = entry["range"]["start"], entry["range"]["end"]
        text = lines[start["line"]]
        assert start["line"] == end["line"]
        assert (start["character"], end["character"]) == (len(text) - len(text.lstrip()), len(text))


def test_the_timeline_example_of_docs_lsp_is_what_the_extension_reads(
    node: str, compiled: Compiled
) -> None:
    _, result = lsp_doc_example()
    assert evaluate(node, compiled, "validate", "module.validateTimeline(value)", result) == result


def readme_block(language: str) -> str:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Editor support") :]
    block = re.search(rf"```{language}\n(.*?)```", section, re.S)
    assert block is not None, f"no {language} block in the README's Editor support section"
    return block.group(1)


def test_readme_helix_configuration_runs_odyc_lsp_for_ody_files() -> None:
    config = tomllib.loads(readme_block("toml"))
    [language] = config["language"]
    assert language["name"] == "ody"
    assert language["file-types"] == ["ody"]
    assert language["comment-token"] == "#"
    assert language["language-servers"] == ["odyc"]
    assert config["language-server"]["odyc"] == {"command": "odyc", "args": ["lsp"]}


def test_readme_neovim_configuration_runs_odyc_lsp_for_ody_files() -> None:
    lua = readme_block("lua")
    assert 'vim.filetype.add({ extension = { ody = "ody" } })' in lua
    assert re.search(
        r'vim\.lsp\.config\("odyc", \{\s*cmd = \{ "odyc", "lsp" \},\s*filetypes = \{ "ody" \}', lua
    )
    assert 'vim.lsp.enable("odyc")' in lua


# --- the package ----------------------------------------------------------------------------


def test_vsce_packages_what_the_extension_runs(node: str, tmp_path: Path) -> None:
    _, npm = node_and_npm()
    vsix = tmp_path / "ody.vsix"
    done = run([npm, "run", "--silent", "package", "--", "--out", str(vsix)])
    assert done.returncode == 0, done.stdout + done.stderr
    names = set(zipfile.ZipFile(vsix).namelist())
    for needed in (
        "extension/package.json",
        "extension/language-configuration.json",
        "extension/syntaxes/ody.tmLanguage.json",
        "extension/out/extension.js",
        "extension/out/webview/timeline.js",
        "extension/media/timeline.css",
        "extension/node_modules/vscode-languageclient/package.json",
    ):
        assert needed in names, needed
    unwanted = [
        name
        for name in names
        if name.startswith(("extension/src/", "extension/test/", "extension/out/test/"))
        or name.endswith(".map")
        or "node_modules/typescript/" in name
        or "node_modules/@vscode/vsce/" in name
    ]
    assert unwanted == []
