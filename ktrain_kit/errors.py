"""The one exception users see: a problem they can fix, reported in one line.

Launchers catch `UserError`, print its message on stderr and exit with code 2. Nothing here
imports TensorFlow, so config checks stay fast.
"""

EXIT_USER_ERROR = 2


class UserError(Exception):
    """Bad config, flag, data file or run folder: the message names it and says how to fix it."""


def config_error(key: str, problem: str, fix: str) -> UserError:
    return UserError(f"config key '{key}': {problem}; {fix}")


def file_error(path: str, problem: str, fix: str) -> UserError:
    return UserError(f"file '{path}': {problem}; {fix}")


def problem_of(error) -> str:
    """What went wrong, without the fix: a message's text before its first '; '. Used where
    the fix a message offers (a flag, say) is not the way out of the caller: restoring a
    recorded run, or the doctor's attempt at a repair."""
    return str(error).split("; ", 1)[0]
