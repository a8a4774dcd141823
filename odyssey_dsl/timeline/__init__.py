"""Timeline: expansion of a scene into timed entries, prediction, and the timing rules."""
