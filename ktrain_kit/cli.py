"""Shared command-line plumbing for the launchers: flags, the config flag, one-line errors.

Every launcher runs `cli.run(main)`. A bad flag, config file, config key or value, data file or
run folder ends the process with exit code 2 and one line on stderr that names it and says how to
fix it; `--verbose` adds the traceback. Nothing here imports TensorFlow.
"""

import difflib
import importlib.util
import os
import re
import sys
import traceback

from absl import app, flags, logging
from ml_collections import config_flags

from ktrain_kit.errors import EXIT_USER_ERROR, UserError

FLAGS = flags.FLAGS
flags.DEFINE_bool("verbose", False, "Show full tracebacks for errors.")


def define_config_flag():
    config_flags.DEFINE_config_file(
        "config", None, "Experiment config file, e.g. configs/digits_cnn.py. Override any key "
        "with --config.<key>=<value>, e.g. --config.train.epochs=5.", lock_config=True)


def fail(message: str):
    print(f"error: {message}", file=sys.stderr, flush=True)
    sys.exit(EXIT_USER_ERROR)


def _override_keys(argv):
    return [m.group(1) for a in argv if (m := re.match(r"--config\.([\w.]+)=", a))]


def config_path(argv=None):
    """The --config file named on the command line (sys.argv by default), or None."""
    argv = sys.argv if argv is None else argv
    for i, a in enumerate(argv):
        if a.startswith("--config="):
            return a.split("=", 1)[1]
        if a == "--config" and i + 1 < len(argv):
            return argv[i + 1]
    return None


def _load_config_file(path):
    spec = importlib.util.spec_from_file_location("_ktrain_user_config", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.get_config()


def _unknown_key_message(argv):
    """Names the first `--config.a.b=` override whose key does not exist, with near matches."""
    try:
        config = _load_config_file(config_path(argv))
    except Exception:
        return None
    for key in _override_keys(argv):
        node, walked = config, []
        for part in key.split("."):
            if not hasattr(node, "keys") or part not in node:
                known = sorted(node.keys()) if hasattr(node, "keys") else []
                close = difflib.get_close_matches(part, known, n=1)
                where = ".".join(walked) or "the config"
                hint = f"did you mean '{'.'.join(walked + close)}'?" if close else (
                    f"keys in {where}: {', '.join(known)}")
                return f"config key '{key}': '{part}' does not exist in {where}; {hint}"
            node, walked = node[part], walked + [part]
    return None


def _bad_value_message(argv, error):
    """`config key 'train.epochs': 'ten' is not a int (it is 10 now); ...` from absl's error."""
    match = re.match(r"flag --config\.([\w.]+)=(.*?): ", str(error))
    if not match:
        return f"{error}; see --helpshort for the flags"
    key, value = match.groups()
    try:
        current = _load_config_file(config_path(argv))
        for part in key.split("."):
            current = current[part]
        kind = {"int": "whole number", "float": "number", "bool": "True or False",
                "str": "text", "tuple": "tuple"}.get(type(current).__name__,
                                                      type(current).__name__)
    except Exception:  # noqa: BLE001 - fall back to absl's own words
        return f"{error}; give a value of the key's type (see the config file)"
    return (f"config key '{key}': '{value}' is not a {kind} (it is {current!r} now); "
            f"pass e.g. --config.{key}={current!r}")


def parse_flags(argv):
    try:
        rest = FLAGS(argv)
    except flags.IllegalFlagValueError as e:
        fail(_bad_value_message(argv, e))
    except flags.Error as e:
        fail(f"{e}; see --helpshort for the flags")
    except (AttributeError, KeyError, TypeError, ValueError) as e:
        fail(_unknown_key_message(argv) or f"bad --config override ({e})")
    except Exception as e:  # noqa: BLE001 - the user's config file raised while loading
        _fail_loading(config_path(argv), e)
    if "config" in FLAGS:
        _check_config_loaded(argv)
    return rest


def _check_config_loaded(argv):
    path = config_path(argv)
    if not path:
        fail("no config given; pass --config=configs/NAME.py (see configs/ for the choices)")
    if not os.path.isfile(path):
        shipped = sorted(f for f in os.listdir("configs") if f.endswith(".py")
                         and not f.startswith("_")) if os.path.isdir("configs") else []
        fail(f"config file '{path}' does not exist; pass --config=configs/NAME.py "
             f"(shipped: {', '.join(shipped) or 'see configs/'})")
    try:
        FLAGS.config
    except Exception as e:  # noqa: BLE001 - the user's config file raised while loading
        _fail_loading(path, e)


def _fail_loading(path, error):
    cause = error.__cause__ or error
    detail = str(cause).strip().splitlines()[-1] if str(cause).strip() else ""
    if isinstance(cause, SyntaxError):
        detail = f"line {cause.lineno}: {cause.msg}"
    fail(f"config file '{path}' failed to load ({type(cause).__name__}: {detail}); fix that file")


def run(main):
    """Runs `main(argv)` under absl with our flag parsing and error reporting."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # hide TensorFlow's C++ start-up chatter

    def guarded(argv):
        logging.set_verbosity(logging.WARNING)
        try:
            return main(argv)
        except UserError as e:
            if FLAGS.verbose:
                traceback.print_exc()
            fail(str(e))

    app.run(guarded, flags_parser=parse_flags)
