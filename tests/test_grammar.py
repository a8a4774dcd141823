"""The grammar: its generated terminals stay in step with it, and no cache file is ever loaded."""

from __future__ import annotations

import os
import pickle
import re
import subprocess
import sys
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from odyssey_dsl.__about__ import __version__
from odyssey_dsl.syntax import _terminals, grammar

ROOT = Path(__file__).resolve().parent.parent


def test_generated_terminals_match_the_grammar() -> None:
    """`_terminals.py` is what the built parser says; regenerate it after editing the
    grammar: `python -m odyssey_dsl.syntax.grammar`."""
    parser = grammar.statement_parser()
    digest = grammar.grammar_digest(grammar.grammar_text())
    assert digest == _terminals.GRAMMAR_SHA256, "run `python -m odyssey_dsl.syntax.grammar`"
    found, ignored = grammar.terminals_of(parser)
    assert tuple(grammar.Terminal(*row) for row in _terminals.TERMINALS) == found
    assert ignored == _terminals.IGNORED
    generated = grammar.generated_terminals_module(parser, digest)
    assert (ROOT / "odyssey_dsl" / "syntax" / "_terminals.py").read_text() == generated


def test_keywords_come_from_the_grammar() -> None:
    keywords = grammar.keyword_terminals()
    assert keywords["at"] == "_AT" and keywords["interact"] == "_INTERACT"
    assert "NAME" not in keywords.values()


class _Planted:
    """A pickle whose loading writes a marker file: what an attacker would plant."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, ...]:
        return (exec, (f"open({str(self.marker)!r}, 'w').write('ran')",))


def test_a_planted_grammar_cache_is_never_loaded(tmp_path: Path) -> None:
    """Earlier versions let Lark unpickle `~/.cache/odyc/ody-grammar-*.lark-cache` on start:
    a file planted there ran its code. Nothing is read from there any more."""
    marker = tmp_path / "marker"
    home = tmp_path / "home"
    for cache in (home / ".cache" / "odyc", tmp_path / "xdg" / "odyc"):
        cache.mkdir(parents=True)
        for name in (f"ody-grammar-{__version__}.lark-cache", "ody-grammar.lark-cache"):
            (cache / name).write_bytes(b"0" * 64 + b"\n" + pickle.dumps(_Planted(marker)))
    scene = tmp_path / "scene.ody"
    # A list and a syntax error: lines that need the Lark parser, not only the fast path.
    scene.write_text('let xs = [1, [2]]\nat 0s: strat "{{ xs }}"\nat 1s: end\n')
    env = {
        **os.environ,
        "HOME": str(home),
        "XDG_CACHE_HOME": str(tmp_path / "xdg"),
        "PYTHONPATH": str(ROOT),
    }
    run = subprocess.run(
        [sys.executable, "-m", "odyssey_dsl", "check", str(scene)],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert run.returncode == 1, run.stderr
    assert "E105" in run.stderr and "Traceback" not in run.stderr
    assert not marker.exists()


# The terminals as they were first written: each string item or digit one repeat at a time.
# The grammar now uses possessive "unrolled" forms that match without a backtracking entry
# per character; they must match exactly the same text.
PLAIN_FORMS = {
    "STRING": r'"(?:[^"\\\n]|\\.)*"',
    "LONG_STRING": r'(?s:"""(?:[^"\\]|\\.|"(?!""))*""")',
    "NUMBER": r"-?\d+(\.\d+)?",
    "DURATION": r"\d+(\.\d+)?(ms|h|m|s)[A-Za-z0-9.]*",
}


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet='"\\\nab1٣.-ms ', max_size=20))
def test_the_possessive_terminals_match_what_the_plain_ones_match(text: str) -> None:
    terminals = grammar.terminals()
    for name, plain in PLAIN_FORMS.items():
        fast = re.compile(terminals[name].pattern).match(text)
        slow = re.compile(plain).match(text)
        assert (fast and fast.group()) == (slow and slow.group()), name
