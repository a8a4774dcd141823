"""The `odyc` command line: a thin layer over the library. Only this package prints or exits."""
