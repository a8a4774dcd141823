"""The grammar's terminals, generated from `grammar/ody.lark` by
`python -m odyssey_dsl.syntax.grammar`; do not edit (see `grammar.py`)."""

GRAMMAR_SHA256 = "396e8e9effaa8ff6d909e7adaf486a5841fff28d9d2b3db281ed2b10a5990c33"
TERMINALS: tuple[tuple[str, str, int], ...] = (
    ("COLON", ":", 0),
    ("COMMA", ",", 0),
    ("DURATION", "\\d++(\\.\\d++)?(ms|h|m|s)[A-Za-z0-9.]*", 2),
    ("EQUAL", "=", 0),
    ("LONG_STRING", '(?s:"""[^"\\\\]*+(?:(?:\\\\.|"(?!""))[^"\\\\]*+)*+""")', 3),
    ("LSQB", "\\[", 0),
    ("NAME", "[A-Za-z_][A-Za-z0-9_]*", 0),
    ("NUMBER", "-?\\d++(\\.\\d++)?", 0),
    ("RSQB", "\\]", 0),
    ("STRING", '"[^"\\\\\n]*+(?:\\\\.[^"\\\\\n]*+)*+"', 2),
    ("_AFTER", "after\\b", 3),
    ("_AT", "at\\b", 3),
    ("_END", "end\\b", 3),
    ("_EVERY", "every\\b", 3),
    ("_FALSE", "false\\b", 3),
    ("_FOR", "for\\b", 3),
    ("_IMAGE", "image\\b", 3),
    ("_IN", "in\\b", 3),
    ("_INTERACT", "interact\\b", 3),
    ("_LET", "let\\b", 3),
    ("_PORTRAIT", "portrait\\b", 3),
    ("_REPEAT", "repeat\\b", 3),
    ("_SCRIPT", "script\\b", 3),
    ("_START", "start\\b", 3),
    ("_TRUE", "true\\b", 3),
    ("_WITH", "with\\b", 3),
    ("__IGNORE_0", "[ \t\f\r\n]+", 0),
)
IGNORED: tuple[str, ...] = ("__IGNORE_0",)
