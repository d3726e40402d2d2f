"""Thin command-line entry points: each parses flags and calls one ktrain_kit function."""
