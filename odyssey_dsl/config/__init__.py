"""Project configuration: `odyc.toml`, or `[tool.odyc]` in `pyproject.toml`.

One implementation for every tool: the command line, the formatter and the language server
find, read and validate the configuration here, and get the same `Settings` for a file.

- `discovery`: the nearest configuration file above a scene (`ConfigResolver` caches the
  walk for a run); `--config` and `--isolated` are choices of the caller.
- `reading`: a file's TOML, validated key by key (`ConfigError` names the file, the key
  and what is allowed).
- `settings`: the resolved `Settings` (defaults < file < command line), each value with
  where it came from; `rule_selection(path)` is what the compiler applies.
- `show`: the resolved settings as text (`odyc check --show-settings FILE`).
"""

from odyssey_dsl.config.discovery import ConfigResolver, find_config_file
from odyssey_dsl.config.reading import ConfigError, read_config_file
from odyssey_dsl.config.settings import FormatSettings, Overrides, Settings

__all__ = [
    "ConfigError",
    "ConfigResolver",
    "FormatSettings",
    "Overrides",
    "Settings",
    "find_config_file",
    "read_config_file",
]
