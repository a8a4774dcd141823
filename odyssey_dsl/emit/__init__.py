"""Emit: the pydantic models of the output format (`models`) and the job and its JSON (`job`).

Nothing is imported here, so that `odyc check` never loads pydantic.
"""
