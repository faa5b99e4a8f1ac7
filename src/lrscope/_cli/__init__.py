"""Subcommands of the `lrscope` CLI, one module each (see lrscope.cli)."""
