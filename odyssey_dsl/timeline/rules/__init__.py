"""The rules of a scene, one small unit per catalogue code, and the table of them by code.

Script rules read one expanded script (times, streams); scene rules read the names. Each
is the single implementation of its code: the compiler runs them, and lint configuration
selects or ignores them by code.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from odyssey_dsl.timeline.rules import (
    duplicate_names,
    first_entry,
    gap,
    late_start,
    order,
    repeated_prompt,
    same_millisecond,
    stream_state,
    time_range,
    unended,
    unused_names,
    unused_overrides,
)
from odyssey_dsl.timeline.rules.base import (
    Finding,
    Rule,
    SceneFacts,
    ScriptFacts,
    scene_rule,
    script_rule,
)

RULES: Mapping[str, Rule] = MappingProxyType(
    {
        rule.code: rule
        for rule in (
            duplicate_names.duplicate_variable,
            order.time_goes_backwards,
            first_entry.first_entry_is_not_start,
            stream_state.no_running_stream,
            stream_state.stream_already_running,
            unended.stream_never_ended,
            same_millisecond.same_millisecond,
            time_range.time_out_of_range,
            unused_names.unused_variable,
            gap.entries_too_close,
            repeated_prompt.repeated_prompt,
            late_start.first_loop_starts_late,
            unused_overrides.unused_override,
        )
    }
)
"""Every rule, by its catalogue code."""

__all__ = ["RULES", "Finding", "Rule", "SceneFacts", "ScriptFacts", "scene_rule", "script_rule"]
