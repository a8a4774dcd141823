"""Diagnostics are data: a `Diagnostic` names a catalogue `Code`, a place and a message.

The `CATALOGUE` is the single table of every code odyc reports: its name, default severity,
a summary, an example scene that triggers it (with the line and column it is reported at),
and the fix. The docs page, `odyc rule`, the SARIF rules and the catalogue tests are
generated from it.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from odyssey_dsl.syntax.text import Span


class Severity(enum.StrEnum):
    ERROR = "error"
    WARNING = "warning"


class Code(NamedTuple):
    """One entry of the catalogue."""

    code: str
    name: str
    severity: Severity
    summary: str
    example: str
    example_at: tuple[int, int]
    """1-based (line, column) at which `example` reports this code."""
    fix: str = ""
    """What to change in the scene to make the diagnostic go away."""


class Diagnostic(NamedTuple):
    """One problem found in one file."""

    code: Code
    severity: Severity
    message: str
    file: str
    span: Span
    help: str | None = None

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.file, self.span.start_offset, self.span.end_offset, self.code.code)

    def as_json(self) -> dict[str, object]:
        """The JSON object of `odyc --format json`."""
        return {
            "file": self.file,
            "line": self.span.line,
            "column": self.span.column,
            "end_line": self.span.end_line,
            "end_column": self.span.end_column,
            "severity": self.severity.value,
            "code": self.code.code,
            "message": self.message,
            "help": self.help,
        }


_E = Severity.ERROR
_W = Severity.WARNING

_CODES = [
    # --- E1xx: reading the file -------------------------------------------------------------
    Code(
        "E100",
        "syntax-error",
        _E,
        "The line is not a statement Ody understands.",
        'at 0s: start "a"\nat 1s interact "b"\nat 2s: end\n',
        (2, 7),
        fix=(
            "Write the line as one statement: `at TIME: ACTION`, `after TIME: ACTION`, `let "
            "NAME = VALUE`, `portrait: true`, or a block header ending in `:` (`repeat N "
            'every D:`, `for X in LIST every D:`, `script "NAME":`).'
        ),
    ),
    Code(
        "E101",
        "unterminated-string",
        _E,
        "A string is missing its closing quote.",
        'at 0s: start "a cat\nat 1s: end\n',
        (1, 14),
        fix=(
            "Close the string with the quote it starts with; a prompt written over several "
            'lines needs triple quotes (`"""`).'
        ),
    ),
    Code(
        "E102",
        "invalid-escape",
        _E,
        "A string contains an unknown escape sequence.",
        'at 0s: start "a \\q cat"\nat 1s: end\n',
        (1, 17),
        fix=(
            'Use one of the escapes Ody knows: `\\"`, `\\\\`, `\\n`, `\\t` and `\\u{...}`; write '
            "`\\\\` for a backslash."
        ),
    ),
    Code(
        "E103",
        "tab-indentation",
        _E,
        "A tab is used for indentation; Ody indents with spaces.",
        'at 0s: start "a"\nrepeat 2 every 1s:\n\tinteract "x{{ loop.index }}"\nat 5s: end\n',
        (3, 1),
        fix="Indent with spaces instead of tabs.",
    ),
    Code(
        "E104",
        "bad-indentation",
        _E,
        "A line is indented where no block is open, or "
        "dedents to a level that no enclosing block uses.",
        'at 0s: start "a"\n  at 1s: end\n',
        (2, 3),
        fix=(
            "Indent a line only inside a block (after a header ending in `:`), and dedent to "
            "a level that an enclosing block uses."
        ),
    ),
    Code(
        "E105",
        "unknown-keyword",
        _E,
        "A word stands where a keyword is expected.",
        'at 0s: strat "a"\nat 1s: end\n',
        (1, 8),
        fix="Correct the word: the help line names the keyword it resembles.",
    ),
    Code(
        "E106",
        "invalid-duration",
        _E,
        "A duration is malformed (units must be h, m, s, ms, in that order, each once).",
        'at 0s: start "a"\nat 2s1m: end\n',
        (2, 4),
        fix="Write the units in the order h, m, s, ms, each at most once: `1m30s`, `2s500ms`.",
    ),
    Code(
        "E107",
        "number-without-unit",
        _E,
        "A bare number stands where a duration is expected.",
        'at 0: start "a"\nat 1s: end\n',
        (1, 4),
        fix="Add a unit: `3s`, `250ms`, `1m`.",
    ),
    Code(
        "E108",
        "fractional-millisecond",
        _E,
        "A duration is not a whole number of milliseconds.",
        'at 0s: start "a"\nat 0.0001s: end\n',
        (2, 4),
        fix="Round the duration to a whole number of milliseconds (`1.5ms` is `1ms` or `2ms`).",
    ),
    Code(
        "E109",
        "invalid-encoding",
        _E,
        "The file is not valid UTF-8 text.",
        "",
        (1, 1),
        fix="Save the file as UTF-8.",
    ),
    Code(
        "E110",
        "missing-block",
        _E,
        "A block header ending in `:` has no indented lines after it.",
        'at 0s: start "a"\nrepeat 2 every 1s:\nat 5s: end\n',
        (2, 1),
        fix="Indent at least one statement under the header, or remove the header.",
    ),
    Code(
        "E111",
        "number-too-large",
        _E,
        "A number has more digits than any count, time or value needs (at most 30 before "
        "its decimal point).",
        'at 0s: start "a"\nrepeat 1000000000000000000000000000000000 every 1s:\n'
        '  interact "b"\nat 1s: end\n',
        (2, 8),
        fix="Use a smaller number: no count, time or value in a scene needs more than 30 digits.",
    ),
    Code(
        "E112",
        "nested-too-deeply",
        _E,
        "Blocks or lists are nested more than 100 levels deep.",
        "let x = " + "[" * 101 + "]" * 101 + '\nat 0s: start "{{ x }}"\nat 1s: end\n',
        (1, 109),
        fix="Flatten the structure: split deep loops into consecutive ones, or lists into "
        "several `let`s.",
    ),
    Code(
        "E113",
        "unicode-space-indentation",
        _E,
        "The indentation holds a blank that is not a plain space, such as a no-break space "
        "(U+00A0).",
        'at 0s: start "a"\nrepeat 2 every 1s:\n\u00a0\u00a0interact "x"\nat 5s: end\n',
        (3, 1),
        fix="Replace the blank with plain spaces (U+0020); editors can show invisible characters.",
    ),
    Code(
        "E114",
        "expression-outside-template",
        _E,
        "An expression or a name stands where Ody takes a literal; compute it in a template "
        '(`"{{ loop.index * 10 }}"`).',
        'let img = "a.png"\nat 0s: start "a" with image img\nat 1s: end\n',
        (2, 29),
        fix='Write the value as a template string: `let n = "{{ loop.index * 10 }}"`, '
        '`with image "{{ img }}"`.',
    ),
    Code(
        "E115",
        "quote-inside-template",
        _E,
        "A double quote inside `{{ }}` ends the string; use single quotes there.",
        'at 0s: start "a"\nat 1s: interact "{{ \'x\' | replace("x", "y") }}"\nat 2s: end\n',
        (2, 35),
        fix="Write the strings inside `{{ }}` with single quotes: "
        "`{{ name | replace('a', 'b') }}`.",
    ),
    Code(
        "E116",
        "scene-too-large",
        _E,
        "The scene is larger than 64 MiB, the most odyc reads; it is not compiled.",
        "",
        (1, 1),
        fix="Split the scene into several files, or keep large data out of it (an image as a "
        "file rather than a `data:` URL).",
    ),
    Code(
        "E117",
        "too-many-syntax-errors",
        _E,
        "After 1,000 syntax diagnostics in a file, odyc stops reading it: the rest of the "
        "file is not checked.",
        "",
        (1, 1),
        fix="Check that the file is an Ody scene, fix the first errors, and check it again.",
    ),
    Code(
        "E118",
        "carriage-return-line-endings",
        _E,
        "The file ends its lines with a carriage return alone (CR, as classic Mac OS did); Ody "
        "reads LF or CRLF line endings only.",
        "",
        (1, 1),
        fix="Save the file with LF (or CRLF) line endings; editors offer this in their status "
        "bar or save dialog, and `tr '\\r' '\\n'` converts it.",
    ),
    # --- E2xx: names, values and structure --------------------------------------------------
    Code(
        "E201",
        "undefined-variable",
        _E,
        "A name is used that no `let`, loop or `--var` defines.",
        'at 0s: start "a"\nafter pause: end\n',
        (2, 7),
        fix="Define the name with `let NAME = ...` (or `--var NAME=...`), or correct its spelling.",
    ),
    Code(
        "E202",
        "duplicate-variable",
        _E,
        "A `let` defines a name that the same scope already defines.",
        'let a = 1\nlet a = 2\nat 0s: start "{{ a }}"\nat 1s: end\n',
        (2, 5),
        fix="Rename one of the two variables, or remove the second `let`.",
    ),
    Code(
        "E203",
        "wrong-type",
        _E,
        "A value of the wrong type is used (a duration, count or list was expected).",
        'let n = "three"\nat 0s: start "a"\nrepeat n every 1s:\n  interact "b"\nat 9s: end\n',
        (3, 8),
        fix=(
            "Give a value of the expected type: a duration (`2s`) for times and periods, a "
            "whole number for `repeat`, a list for `for`."
        ),
    ),
    Code(
        "E204",
        "duplicate-portrait",
        _E,
        "`portrait` is set more than once.",
        'portrait: true\nportrait: false\nat 0s: start "a"\nat 1s: end\n',
        (2, 1),
        fix="Keep one `portrait:` line.",
    ),
    Code(
        "E205",
        "misplaced-statement",
        _E,
        "A statement stands where it is not allowed (`portrait` or `script` inside a block).",
        'script "a":\n  portrait: false\n  at 0s: start "a"\n  at 1s: end\n',
        (2, 3),
        fix="Move `portrait:` and `script` blocks to the top level of the file.",
    ),
    Code(
        "E206",
        "duplicate-script-name",
        _E,
        "Two `script` blocks have the same name.",
        'script "a":\n  at 0s: start "a"\n  at 1s: end\nscript "a":\n'
        '  at 0s: start "b"\n  at 1s: end\n',
        (4, 8),
        fix="Give each `script` block its own name.",
    ),
    Code(
        "E207",
        "mixed-batch",
        _E,
        "A file with `script` blocks also has timed actions at top level.",
        'at 0s: start "a"\nat 1s: end\nscript "b":\n  at 0s: start "b"\n  at 1s: end\n',
        (1, 1),
        fix=(
            'Move the top-level timed actions into a `script "NAME":` block, or remove the '
            "`script` blocks."
        ),
    ),
    Code(
        "E208",
        "missing-time",
        _E,
        "An action outside a loop has no `at` or `after` prefix.",
        'start "a"\nat 1s: end\n',
        (1, 1),
        fix="Prefix the action with `at TIME:` or `after TIME:`.",
    ),
    Code(
        "E209",
        "invalid-negative",
        _E,
        "A loop count is negative.",
        'let n = -1\nat 0s: start "a"\nrepeat n every 1s:\n  interact "b"\nat 9s: end\n',
        (3, 8),
        fix="Use a count of 0 or more.",
    ),
    # --- E3xx: templates --------------------------------------------------------------------
    Code(
        "E301",
        "template-syntax",
        _E,
        "A string is not a valid Jinja2 template.",
        'at 0s: start "a {{ cat "\nat 1s: end\n',
        (1, 14),
        fix=(
            "Fix the template: close every `{{ ... }}` and `{% ... %}`, and quote strings "
            "inside them."
        ),
    ),
    Code(
        "E302",
        "template-undefined",
        _E,
        "A template uses a name that is not defined.",
        'at 0s: start "a {{ subject }}"\nat 1s: end\n',
        (1, 20),
        fix="Define the name with `let` (or `--var`), or correct its spelling.",
    ),
    Code(
        "E303",
        "template-error",
        _E,
        "Rendering a template failed (a type error, a forbidden attribute, ...).",
        'at 0s: start "{{ 1 / 0 }}"\nat 1s: end\n',
        (1, 14),
        fix="Change the expression so that it can be evaluated; the message says what failed.",
    ),
    Code(
        "E304",
        "empty-prompt",
        _E,
        "A prompt is empty or only whitespace once rendered.",
        'at 0s: start "  "\nat 1s: end\n',
        (1, 14),
        fix="Write a prompt with some text in it (check what its template renders to).",
    ),
    Code(
        "E305",
        "prompt-too-long",
        _E,
        "A prompt, or what a template renders, is longer than 100,000 characters.",
        "at 0s: start \"{{ 'x' * 100001 }}\"\nat 1s: end\n",
        (1, 14),
        fix=(
            "Shorten the prompt, or make the template render less text (a smaller loop, "
            "fewer repetitions)."
        ),
    ),
    Code(
        "E306",
        "template-too-much-work",
        _E,
        "A template does more work than its budget: too many loop iterations, calls or "
        "filters (1,000,000 steps for one template, 3,000,000 for all of a scene's).",
        'at 0s: start "{% for i in range(99999) %}{% for j in range(99) %}{% endfor %}'
        '{% endfor %}a"\nat 1s: end\n',
        (1, 14),
        fix=("Make the template do less: smaller or fewer nested loops, fewer calls and filters."),
    ),
    Code(
        "E307",
        "template-value-too-large",
        _E,
        "A template makes a string or list of more than 1,000,000 characters or items, or a "
        "number of more than 4,300 digits.",
        "at 0s: start \"{{ 'a' | center(10**9) }}\"\nat 1s: end\n",
        (1, 14),
        fix=("Build smaller values: a string, list or number this large cannot fit in a prompt."),
    ),
    Code(
        "E308",
        "template-prints-function",
        _E,
        "A template prints a function, a method or another value that is not text.",
        'let x = "a"\nat 0s: start "{{ x.upper }}"\nat 1s: end\n',
        (2, 14),
        fix=(
            "Call the method or function (`{{ x.upper() }}`), or print a value instead of the "
            "function itself."
        ),
    ),
    # --- E4xx: images -----------------------------------------------------------------------
    Code(
        "E401",
        "image-not-found",
        _E,
        "An image file does not exist or cannot be read.",
        'at 0s: start "a" with image "missing.png"\nat 1s: end\n',
        (1, 29),
        fix=(
            "Check the path: a relative path is read from the scene's folder (from the "
            "current directory for standard input)."
        ),
    ),
    Code(
        "E402",
        "not-an-image",
        _E,
        "A file given as an image is not a JPEG, PNG, GIF, "
        "WebP, HEIC/HEIF/AVIF, BMP or TIFF image.",
        'at 0s: start "a" with image "data:image/png;base64,aGVsbG8="\nat 1s: end\n',
        (1, 29),
        fix="Use a JPEG, PNG, GIF, WebP, HEIC/HEIF/AVIF, BMP or TIFF image.",
    ),
    Code(
        "E403",
        "image-too-large",
        _E,
        "An image is larger than 25 MiB.",
        "",
        (1, 29),
        fix="Use an image of at most 25 MiB (shrink or recompress it).",
    ),
    Code(
        "E404",
        "invalid-data-url",
        _E,
        "An image data URL is malformed or its base64 is invalid.",
        'at 0s: start "a" with image "data:image/png;base64,@@@"\nat 1s: end\n',
        (1, 29),
        fix=(
            "Write the data URL as `data:image/TYPE;base64,DATA` with valid base64, or give a "
            "file path instead."
        ),
    ),
    # --- E5xx: the timeline -----------------------------------------------------------------
    Code(
        "E501",
        "time-goes-backwards",
        _E,
        "An entry is earlier than the one emitted before it.",
        'at 0s: start "a"\nat 6s: interact "b"\nat 5s: end\n',
        (3, 1),
        fix="Put the entries in time order: give the later line a later time, or move it.",
    ),
    Code(
        "E502",
        "no-start",
        _E,
        "A script's first entry is not a `start`.",
        'at 0s: interact "a"\nat 1s: end\n',
        (1, 8),
        fix="Begin the script with a `start`.",
    ),
    Code(
        "E503",
        "no-running-stream",
        _E,
        "An `interact` or `end` comes when no stream is running.",
        'at 0s: start "a"\nat 1s: end\nat 2s: interact "b"\n',
        (3, 8),
        fix='Start a stream first (`start "..."`), or remove the `interact` or `end`.',
    ),
    Code(
        "E504",
        "stream-already-running",
        _E,
        "A `start` comes while a stream is running (one stream at a time).",
        'at 0s: start "a"\nat 1s: start "b"\nat 2s: end\n',
        (2, 8),
        fix=(
            "End the running stream (`end`) before the next `start`; an `end` and the next "
            "`start` may share a millisecond."
        ),
    ),
    Code(
        "E505",
        "stream-never-ended",
        _E,
        "A stream is started and never ended.",
        'at 0s: start "a"\nat 1s: interact "b"\n',
        (1, 8),
        fix="Add an `end` after the stream's last entry (the help line shows where).",
    ),
    Code(
        "E506",
        "same-millisecond",
        _E,
        "Two entries fall on the same millisecond.",
        'at 0s: start "a"\nat 1s: interact "b"\nat 1s: end\n',
        (3, 1),
        fix=(
            "Move one of the two entries to another millisecond (only an `end` and the next "
            "`start` may share one)."
        ),
    ),
    Code(
        "E507",
        "empty-script",
        _E,
        "A script has no entries.",
        'script "a":\n  let x = 1\n  repeat 0 every 1s:\n    interact "{{ x }}"\n',
        (1, 1),
        fix="Give the script at least one entry, or remove it.",
    ),
    Code(
        "E508",
        "nothing-to-compile",
        _E,
        "The file has no timed actions and no scripts.",
        "# nothing here\n",
        (1, 1),
        fix='Add timed actions (`at 0s: start "..."`) or `script` blocks.',
    ),
    Code(
        "E509",
        "too-many-entries",
        _E,
        "The expanded job would exceed `--max-entries`.",
        'at 0s: start "a"\nrepeat 1000000000 every 1ms:\n  interact "b"\nat 1s: end\n',
        (2, 1),
        fix=(
            "Use fewer loop iterations, split the scene into several jobs, or raise "
            "`--max-entries` (`max-entries` in the configuration)."
        ),
    ),
    Code(
        "E510",
        "time-out-of-range",
        _E,
        "An entry's time is beyond 2^53-1 ms, the largest whole number every JSON reader keeps "
        "exactly.",
        'at 0s: start "a"\nat 99999999999999h: end\n',
        (2, 1),
        fix="Use times below 2^53-1 milliseconds.",
    ),
    # --- E9xx: odyc itself ------------------------------------------------------------------
    Code(
        "E901",
        "invalid-variable-override",
        _E,
        "A `--var`/`--vars` value cannot be used.",
        "",
        (1, 1),
        fix=(
            "Give the variable a string, number, boolean or list (`--var NAME=VALUE`, or a "
            "`--vars` file)."
        ),
    ),
    Code(
        "E902",
        "unreadable-file",
        _E,
        "A scene named on the command line cannot be read (missing, a folder, no permission); "
        "`odyc check` reports it with the other files' diagnostics and exits with 2.",
        "",
        (1, 1),
        fix="Check the path (relative to the current directory) and the file's permissions.",
    ),
    Code(
        "E999",
        "internal-error",
        _E,
        "odyc itself failed; please report it.",
        "",
        (1, 1),
        fix="Report the bug, with the scene and the command that trigger it.",
    ),
    # --- W: warnings ------------------------------------------------------------------------
    Code(
        "W101",
        "unused-variable",
        _W,
        "A `let` defines a name that nothing uses.",
        'let unused = 1\nat 0s: start "a"\nat 1s: end\n',
        (1, 5),
        fix="Use the variable, or remove its `let`.",
    ),
    Code(
        "W102",
        "entries-too-close",
        _W,
        "Two entries of one stream are closer than `--min-gap` (default 100ms).",
        'at 0s: start "a"\nat 50ms: interact "b"\nat 1s: end\n',
        (2, 1),
        fix=(
            "Space the entries at least `--min-gap` apart (`min-gap` in the configuration; 0 "
            "turns this warning off)."
        ),
    ),
    Code(
        "W103",
        "repeated-prompt",
        _W,
        "The same prompt is sent twice in a row to one stream.",
        'at 0s: start "a"\nat 1s: interact "b"\nat 2s: interact "b"\nat 3s: end\n',
        (3, 17),
        fix=(
            "Change or remove the second prompt; if the repetition is intended, add `# odyc: "
            "ignore[W103]` to its line."
        ),
    ),
    Code(
        "W104",
        "late-first-loop",
        _W,
        "A script begins with a loop without `at`/`after`, so it starts one period late.",
        'for shot in ["a", "b"] every 4s:\n  start "{{ shot }}"\n  after 1s: end\n',
        (1, 1),
        fix=(
            "Give the loop a time prefix (`at 0s for shot in [...] every 4s:`), so that its "
            "first iteration starts then and not one period later."
        ),
    ),
    Code(
        "W105",
        "unused-variable-override",
        _W,
        "A `--var`/`--vars` variable matches no variable the scene uses.",
        "",
        (1, 1),
        fix="Correct the variable's name (the help line suggests one), or stop setting it.",
    ),
    Code(
        "W106",
        "unused-suppression",
        _W,
        "A `# odyc: ignore[...]` comment names a warning that is not reported on its line.",
        'at 0s: start "a"  # odyc: ignore[W103]\nat 1s: end\n',
        (1, 34),
        fix="Remove the code from the comment, or remove the whole comment.",
    ),
    Code(
        "W107",
        "invalid-suppression",
        _W,
        "A `# odyc: ignore[...]` comment is malformed, or names an unknown code or an error "
        "(errors cannot be silenced).",
        'at 0s: start "a"\nat 1s: end  # odyc: ignore[E501]\n',
        (2, 28),
        fix="Write `# odyc: ignore[CODE, ...]` with warning codes only: errors cannot be silenced.",
    ),
]

CATALOGUE: dict[str, Code] = {code.code: code for code in _CODES}
"""Every diagnostic code, by its code (`E101`)."""


def code(code_id: str) -> Code:
    return CATALOGUE[code_id]


def make(
    code_id: str,
    message: str,
    file: str,
    span: Span,
    help: str | None = None,
) -> Diagnostic:
    """A diagnostic of a catalogue code at its default severity."""
    entry = CATALOGUE[code_id]
    return Diagnostic(entry, entry.severity, message, file, span, help)


def sort_diagnostics(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    """Diagnostics in reading order, each distinct one once."""
    unique: dict[tuple[object, ...], Diagnostic] = {}
    for diagnostic in diagnostics:
        key = (*diagnostic.sort_key(), diagnostic.message)
        unique.setdefault(key, diagnostic)
    return sorted(unique.values(), key=Diagnostic.sort_key)


def promote_warnings(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    """`--werror`: every warning becomes an error."""
    return [
        d if d.is_error else Diagnostic(d.code, Severity.ERROR, d.message, d.file, d.span, d.help)
        for d in diagnostics
    ]
