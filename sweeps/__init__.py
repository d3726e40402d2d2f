"""Sweep files: one get_sweep() per search; its docstring holds the exact run command."""
