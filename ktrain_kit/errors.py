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


def user_code_failure(error: BaseException) -> str:
    """'Kind: first line of its message' for an exception the user's own code raised (a
    config or sweep file, a model builder), never raising itself: the exception may be any
    BaseException (a class of the user's, GeneratorExit), its message empty, and its str()
    may raise. `sys.exit()` and Ctrl-C inside that code are said in words."""
    if isinstance(error, SystemExit):
        return f"it called sys.exit({error.code!r})"
    if isinstance(error, KeyboardInterrupt):
        return "it raised KeyboardInterrupt"
    lines = [line.strip() for line in safe_str(error).splitlines() if line.strip()]
    return f"{type(error).__name__}: {lines[0]}" if lines else type(error).__name__


def safe_str(error: BaseException) -> str:
    """str(error), or '' when the exception's own __str__ raises (the user's code)."""
    try:
        return str(error)
    except BaseException:  # noqa: BLE001 - whatever it raises, the message is lost, not the line
        return ""


def shown(text) -> str:
    """A cell or name quoted for a one-line message (line breaks escaped, long text cut)."""
    text = str(text)
    return repr(text if len(text) <= 40 else text[:37] + "...")
