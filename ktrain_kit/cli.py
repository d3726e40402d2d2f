"""Shared command-line plumbing for the launchers: flags, the config flag, one-line errors.

Every launcher runs `cli.run(main)`. A bad flag, config file, config key or value, data file or
run folder ends the process with exit code 2 and one line on stderr that names it and says how to
fix it; `--verbose` adds the traceback. Other endings, each one line:

    0  done                       1  training stopped (NaN loss), the disk is full, or out of memory
    2  bad input (nothing lost)   75 stopped by SIGTERM / SIGINT after a checkpoint: re-run
    130 interrupted before a checkpoint could be saved (the newest one on disk is kept)

A file that cannot be written (permission, read-only filesystem) is a 2 too, naming the file;
`ending` is the one table, for every launcher (tests/test_fault_points.py fails each change to
a file in turn and checks the line and code).

Nothing here imports TensorFlow.
"""

import difflib
import errno
import os
import re
import sys
import traceback

from absl import app, flags, logging
from ml_collections import config_dict, config_flags

from ktrain_kit import config_fields, frameworks
from ktrain_kit.errors import EXIT_USER_ERROR, UserError, safe_str, user_code_failure

FLAGS = flags.FLAGS
flags.DEFINE_bool("verbose", False, "Show full tracebacks for errors.")
EXIT_FAILED, EXIT_PREEMPTED, EXIT_INTERRUPTED = 1, 75, 130
CONFIG_PREFIX = "--config."
PATH_FLAGS = ("workdir", "out", "sweep")  # folders and files the launchers take


def define_config_flag():
    """--config. ml_collections reads the command line's --flagfile while defining it (at the
    launcher's import, before cli.run): a flag file that cannot be opened is one line here,
    not a traceback."""
    check_flag_files(sys.argv)
    try:
        config_flags.DEFINE_config_file(
            "config", None, "Experiment config file, e.g. configs/digits_cnn.py (a `:arg` after "
            "the path is passed to its get_config). Override any key with "
            "--config.<key>=<value>, e.g. --config.train.epochs=5.", lock_config=True)
    except flags.CantOpenFlagFileError as e:
        fail(_flagfile_message(e))


MAX_FLAG_FILE_BYTES = 1 << 20  # a flag file is a list of --NAME=VALUE lines, not data


def _flag_file_paths(argv) -> list:
    """The files named by `--flagfile=PATH` (or `--flagfile PATH`, one dash too) in `argv`."""
    paths = []
    for i, arg in enumerate(argv[1:], 1):
        name, eq, value = str(arg).lstrip("-").partition("=")
        if not str(arg).startswith("-") or name != "flagfile":
            continue
        if eq:
            paths.append(value)
        elif i + 1 < len(argv):
            paths.append(argv[i + 1])
    return paths


def check_flag_files(argv, seen=None) -> None:
    """Each --flagfile (and each one it names) is a UTF-8 text file of flag-file size, before
    absl reads it: absl decodes it with a bare `readlines()`, so UTF-16 or Latin-1 bytes were a
    UnicodeDecodeError traceback, a pipe waited forever and a 2 GB file (a sparse one, or data
    named by mistake) was read whole into memory as one line."""
    from ktrain_kit import fs
    seen = set() if seen is None else seen
    for path in _flag_file_paths(argv):
        if not path or path in seen:
            continue  # '': absl's own words; seen: absl ignores a flag file named again
        seen.add(path)
        fix = "give a UTF-8 text file holding one --NAME=VALUE a line"
        kind = fs.special_kind(path)
        if kind:
            fail(f"--flagfile '{path}' is {kind}, not a file; {fix}")
        if not os.path.isfile(path):
            continue  # absl says it cannot open it (a folder, nothing there)
        size = os.path.getsize(path)
        if size > MAX_FLAG_FILE_BYTES:
            fail(f"--flagfile '{path}' is {size:,} bytes, too large for a flag file (at most "
                 f"{MAX_FLAG_FILE_BYTES:,}); is it the file meant? {fix}")
        with open(path, "rb") as f:
            data = f.read()
        try:
            text = data.decode("utf-8")
            if "\0" in text:  # UTF-16 of ASCII without a byte-order mark is valid UTF-8
                raise UnicodeDecodeError("utf-8", data, data.index(b"\0"),
                                         data.index(b"\0") + 1, "NUL")
        except UnicodeDecodeError as e:
            line = data[:e.start].count(b"\n") + 1
            utf16 = data[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\0" in data[:64]
            fail(f"--flagfile '{path}' is not UTF-8 text (line {line}, byte "
                 f"{data[e.start:e.start + 1]!r}{'; UTF-16?' if utf16 else ''}); save it as "
                 f"UTF-8 (iconv -f {'UTF-16' if utf16 else 'LATIN1'} -t UTF-8), one --NAME=VALUE "
                 "a line")
        nested = [line.strip() for line in text.splitlines()]
        check_flag_files([""] + [line for line in nested if line.startswith("-")], seen)


def _flagfile_message(error) -> str:
    return (f"--flagfile: {str(error).replace('ERROR:: ', '').strip()}; give a file that "
            "exists, holding one --NAME=VALUE a line")


# Flags every launcher has: absl's help and flag-file flags, and --verbose (above).
COMMON_FLAGS = frozenset({"help", "helpshort", "helpfull", "helpxml", "flagfile", "undefok",
                          "verbose"})
FLAG_IN_TEXT = re.compile(r"(?<![\w-])--([a-z_][\w.]*)")  # --NAME: a placeholder
LAUNCHER_IN_TEXT = re.compile(r"\blaunchers\.(\w+)")


def launcher_flags(name: str) -> frozenset:
    """The flags `python -m launchers.NAME` takes, read from its source (its
    `flags.DEFINE_*("flag", ...)` calls, and `config` with every `config.KEY` where it calls
    `define_config_flag()`), so the table cannot drift from what absl parses."""
    import ast
    path = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                        "launchers", f"{name}.py")
    with open(path, encoding="utf-8") as f:
        tree = ast.parse(f.read())
    names = set(COMMON_FLAGS)
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
            continue
        if node.func.attr == "define_config_flag":
            names |= {"config", "config.*"}
        elif node.func.attr.startswith("DEFINE_") and node.args and \
                isinstance(node.args[0], ast.Constant):
            names.add(node.args[0].value)
    return frozenset(names)


def foreign_flags(launcher: str, message: str) -> list:
    """The flags `message` names that neither `launchers.<launcher>` nor a launcher the
    message itself names (`python -m launchers.train ... --overwrite`) takes: a way out the
    user reading it cannot follow. Empty for a message that is right."""
    allowed = set(launcher_flags(launcher))
    for other in LAUNCHER_IN_TEXT.findall(message):
        if os.path.isfile(os.path.join(os.path.dirname(os.path.dirname(
                os.path.abspath(__file__))), "launchers", f"{other}.py")):
            allowed |= launcher_flags(other)
    named = [flag.rstrip(".") for flag in FLAG_IN_TEXT.findall(message)]
    named = [flag[2:] if flag.startswith("no") and (flag[2:] in allowed or flag.startswith(
        "noconfig.")) else flag for flag in named]  # --noFLAG: absl's FLAG=false
    return [flag for flag in named if flag not in allowed and not (
        flag.startswith("config.") and "config.*" in allowed)]


# Every character that ends a line for someone (str.splitlines: \n \r \v \f \x1c-\x1e \x85
# U+2028 U+2029; a terminal: the other control codes, ESC's colour and cursor sequences among
# them), as it would be typed in Python: a value quoted in a refusal (`--config.model.name=a\vb`,
# a file name) cannot break the one line or rewrite the terminal. A tab stays: it breaks nothing.
_UNPRINTABLE = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029]")


def one_line(text: str) -> str:
    """A message as one line: a line break or control code inside (a path, a value, an error)
    cannot forge a second line; each is shown escaped (`\\n`, `\\x0b`)."""
    return _UNPRINTABLE.sub(lambda m: {"\n": "\\n", "\r": "\\r"}.get(
        m.group(), m.group().encode("unicode_escape").decode()), str(text))


LONG_WORD = re.compile(r"\S{400,}")
MAX_LINE = 4000


def shortened(message: str) -> str:
    """A message a person can read: a run of 400 or more characters without a space (a cell of
    a 50 MB line, quoted whole in the pandas step a refusal offered, made the one line 50 MB)
    shown by its ends, and the line at most MAX_LINE characters, its start (what is wrong)
    and its end (the fix) kept. Here, at the one exit every refusal takes."""
    message = LONG_WORD.sub(lambda m: f"{m.group()[:150]}...[{len(m.group()):,} characters]..."
                            f"{m.group()[-60:]}", message)
    if len(message) > MAX_LINE:
        message = f"{message[:MAX_LINE - 1000]} ... {message[-900:]}"
    return message


def fail(message: str, code: int = EXIT_USER_ERROR):
    print(f"error: {shortened(one_line(message))}", file=sys.stderr, flush=True)
    sys.exit(code)


def check_path_flag(path: str, flag: str) -> None:
    """Refuses, as a flag's one-line error, a path the Python API would refuse with a
    ValueError (a name over 255 bytes, a NUL, a leading ~): the launcher's own check, so a
    bad flag is never a traceback from inside train()."""
    from ktrain_kit import arguments
    rule = arguments.path()
    if not rule.fits(path):
        raise UserError(f"{flag} {safe_str(path)!r} cannot be used: {flag} takes {rule.words}")


def config_path(argv=None):
    """The --config file: what ml_collections parsed, else what the command line names."""
    value = _config_value(argv)
    return None if value is None else value.split(":", 1)[0]


def _config_value(argv=None):
    """--config's whole value, `PATH[:ARGUMENT]`: the command line's last one, as absl reads
    them in turn (`--config=A --config=B`: B is loaded, and B is the file that failed), else
    what ml_collections parsed (a --flagfile's)."""
    given = _config_values(sys.argv if argv is None else argv)
    if given:
        return given[-1]
    try:
        return config_flags.get_config_filename(FLAGS["config"])
    except Exception:  # noqa: BLE001 - not parsed (yet)
        return None


def _config_values(argv):
    """Every --config value on the command line, in order."""
    argv, values = _flag_words(argv), []
    for i, a in enumerate(argv):
        if a.startswith("--config="):
            values.append(a.split("=", 1)[1])
        elif a == "--config" and i + 1 < len(argv):
            values.append(argv[i + 1])
    return values


def config_words(argv) -> list:
    """The command line's --config and --config.KEY flags, each one word `--NAME=VALUE` as
    absl reads them (`-config x`, `--config x` and `--config.a.b v` included), in order: to
    write a command that reproduces the config (a sweep's best trial)."""
    words, out, i = _flag_words(argv), [], 0
    while i < len(words):
        word = words[i]
        if word == "--config" or (word.startswith(CONFIG_PREFIX) and "=" not in word):
            follows = i + 1 < len(words) and not words[i + 1].startswith("-")
            if follows:
                out.append(f"{word}={words[i + 1]}")
                i += 2
                continue
        if word.startswith("--config=") or word.startswith(CONFIG_PREFIX):
            out.append(word)
        i += 1
    return out


def _flag_words(argv):
    """The command line as absl reads its flags: up to a `--` that ends them, each `-NAME`
    written `--NAME` (absl takes one dash as two: `-config.seed=x` is an override too)."""
    words, argv = [], list(argv)
    if any(str(a).startswith(("--flagfile", "-flagfile")) for a in argv):
        try:  # a flag file's lines are the command line's, where absl reads them
            argv = FLAGS.read_flags_from_files(argv, force_gnu=False)
        except Exception:  # noqa: BLE001 - an unreadable flag file is told where it is parsed
            pass
    for a in argv[1:] if argv and not str(argv[0]).startswith("-") else argv:
        if a == "--":
            break
        words.append("-" + a if a.startswith("-") and not a.startswith("--") and len(a) > 1
                     else a)
    return words


def _overrides(argv):
    """(key, value) of each --config.a.b=v on the command line, in order."""
    pairs = []
    argv = _flag_words(argv)
    for i, a in enumerate(argv):
        if a.startswith(CONFIG_PREFIX):
            key, eq, value = a[len(CONFIG_PREFIX):].partition("=")
            if not eq and i + 1 < len(argv) and not argv[i + 1].startswith("-"):
                value = argv[i + 1]
            pairs.append((key, value))
    return pairs


def overridden_keys(argv=None) -> set:
    """The config keys the command line names (`--config.a.b=v` gives 'a.b')."""
    return {key for key, _ in _overrides(sys.argv if argv is None else argv)}


def _default_tree():
    from ktrain_kit.config import default_config
    return default_config()


def _unknown_key_message(argv):
    """Names the first override whose key ktrain_kit's config does not have, with near matches.

    Every config starts from `ktrain_kit.config.default_config()`, so its keys are the ones to
    compare with; the user's file is not run again.
    """
    for key, _ in _overrides(argv):
        node, walked = _default_tree(), []
        for part in key.split("."):
            if not isinstance(node, config_dict.ConfigDict) or part not in node:
                known = sorted(node.keys()) if isinstance(node, config_dict.ConfigDict) else []
                close = difflib.get_close_matches(part, known, n=1)
                where = ".".join(walked) or "the config"
                if not known:
                    return (f"config key '{key}': '{'.'.join(walked)}' is a value, not a "
                            f"section; override it as --config.{'.'.join(walked)}=...")
                hint = f"did you mean '{'.'.join(walked + close)}'?" if close else (
                    f"keys in {where}: {', '.join(known)}")
                return f"config key '{key}': '{part}' does not exist in {where}; {hint}"
            node, walked = node[part], walked + [part]
    return None


def _malformed_key_message(argv):
    """`--config..epochs=1`, `--config.=1`, `--config.train.=1`: a key with an empty part
    (ml_collections then fails as if the config file did)."""
    for key, _ in _overrides(argv):
        if not key or "" in key.split("."):
            return (f"config key '{key}' has an empty part; write --config.SECTION.KEY=VALUE, "
                    "e.g. --config.train.epochs=5")
    return None


def _bad_value_message(argv):
    """`config key 'train.epochs': 'ten' is not a whole number (it is 10 now); ...`

    The config is already loaded (absl parses overrides after the file); each override's value
    is tried with the parser ml_collections made for its field, to find the one that failed.
    """
    config = FLAGS["config"].value
    for key, value in _overrides(argv):
        name = f"config.{key}"
        if name not in FLAGS:
            continue
        try:
            FLAGS[name].parser.parse(value)
            continue
        except Exception:  # noqa: BLE001 - that is the one
            pass
        current = config
        for part in key.split("."):
            current = current[part]
        if isinstance(current, config_dict.ConfigDict):
            return (f"config key '{key}' is a section, not a value; override its keys, e.g. "
                    f"--config.{key}.{sorted(current.keys())[0]}=...")
        kind = config_fields.KIND_WORDS.get(type(current), f"a {type(current).__name__}")
        return (f"config key '{key}': '{value}' is not {kind} (it is {current!r} now); "
                f"pass e.g. --config.{key}={current!r}")
    return None


def parse_flags(argv):
    logging.set_verbosity(logging.ERROR)  # ml_collections warns on stderr; we say it in one line
    argv = _short_help_spelled_out(argv)
    check_flag_files(argv)  # launchers without --config read them here
    if "config" in FLAGS:
        given = _config_values(argv)
        if len(given) > 1:  # absl loads each in turn, keeps the last, and fails on overrides
            fail(f"--config is given {len(given)} times ({', '.join(repr(g) for g in given)}); "
                 "give one config file, with its --config.KEY=VALUE overrides after it")
        _check_not_special(config_path(argv))  # before ml_collections opens it
    try:
        rest = FLAGS(argv)
    except flags.IllegalFlagValueError as e:
        _fail_if_required(e)
        if "config" in FLAGS and FLAGS["config"].present:
            fail(_bad_value_message(argv) or f"{str(e).splitlines()[0]}; see --helpshort")
        named = re.match(r"flag --([\w.]+)=", str(e))
        if "config" not in FLAGS or (named and not named.group(1).startswith("config")):
            # a launcher without a config (doctor), or another flag's value while --config
            # is not given (it was 'config file 'None' failed to load (... --max_lr ...)')
            fail(f"{str(e).splitlines()[0]}; see --helpshort for the flags")
        _fail_loading(config_path(argv), e)
    except flags.CantOpenFlagFileError as e:  # launchers without --config read it here
        fail(_flagfile_message(e))
    except flags.DuplicateFlagError as e:
        if "config" not in FLAGS:
            raise
        # the "config" file is a launcher, or imports one: loading it defines flags again
        fail(f"config file '{config_path(argv)}' defines command-line flags of its own "
             f"({safe_str(e).split('.')[0]}), so it is a program, not a config; pass a file "
             "whose get_config() returns ktrain_kit's config, e.g. --config=configs/digits_mlp.py")
    except flags.Error as e:
        _fail_if_required(e)
        if "config" in FLAGS and not FLAGS["config"].present and \
                re.search(r"Unknown command line flag 'config\.", str(e)):
            fail("--config.KEY=VALUE overrides a config file, but no --config is given; pass "
                 "--config=configs/NAME.py before it")
        fail(f"{str(e).splitlines()[0]}; see --helpshort for the flags")
    except (AttributeError, KeyError) as e:
        message = _unknown_key_message(argv)
        if message is None and "has no attribute 'get_config'" in safe_str(e):
            swapped = _defines(config_path(argv), "get_sweep")
            # --sweep is launchers.sweep's: elsewhere say the command that takes it
            sweep_fix = ("pass it as --sweep and a config as --config" if "sweep" in FLAGS else
                         "run it with python -m launchers.sweep --config=configs/NAME.py "
                         f"--sweep={config_path(argv)} --workdir=DIR")
            fail(f"config file '{config_path(argv)}' defines no get_config()"
                 + (f" (it defines get_sweep(): a sweep file); {sweep_fix}"
                    if swapped else "; add one that returns ktrain_kit.config.default_config() "
                    "with your changes"))
        if message is None:  # every key exists: the file's get_config() returned no config
            _fail_if_not_a_config(argv, e)
            fail(f"config file '{config_path(argv)}': get_config() did not return ktrain_kit's "
                 f"config ({user_code_failure(e)[:100]}); start from "
                 "ktrain_kit.config.default_config() and change what you need")
        fail(message)
    except Exception as e:  # noqa: BLE001 - the user's config file raised while loading
        # an override below a text or tuple value (`--config.model.name.x=1`) fails with
        # ml_collections' TypeError on the value, not an AttributeError: named first, it was
        # 'get_config() returned a str' (the value it was setting a key on)
        message = _malformed_key_message(argv) or _unknown_key_message(argv)
        if message:
            fail(message)
        if _raised_by_absl_flags(e):  # the command line's words, not the file
            fail(_flag_syntax_message(e))
        _fail_if_not_a_config(argv, e)
        _fail_loading(config_path(argv), e)
    except BaseException as e:  # noqa: BLE001 - --help, or the config file ended the process
        if _asked_for_help(e):
            sys.exit(0)  # absl printed the help and exits 1, as if the command had failed
        _fail_loading(config_path(argv), _user_exit(e))
    for name in PATH_FLAGS + ("storage",):
        if name in FLAGS and FLAGS[name].present and not FLAGS[name].value:
            # `--workdir=$RUN` with RUN unset: not the default folder (a resume would start
            # afresh elsewhere), and not the current folder
            fail(f"--{name} is empty (an unset shell variable?); give a "
                 f"{'database URL' if name == 'storage' else 'path'}")
        if name in FLAGS and name in PATH_FLAGS:
            from ktrain_kit.config import check_no_tilde
            try:
                check_no_tilde(f"--{name}", FLAGS[name].value)
            except UserError as e:
                fail(str(e))
    if "config" in FLAGS:
        _check_config_loaded(argv)
        _check_override_literals(argv)
    return rest


def _literal_problem(node, tuple_key: bool) -> str | None:
    """What an override's Python literal loses when ml_collections reads it, else None: a
    mapping that names a key twice (`{0: 1, 0: 2}`: Python keeps the last without a word), or
    a mapping or set given for a tuple key (`{1: 2}` became the tuple of its keys, (1,))."""
    import ast
    if tuple_key and isinstance(node, (ast.Dict, ast.Set)):
        if isinstance(node, ast.Dict):
            return "takes a tuple, e.g. (1, 2), not a mapping (only its keys would be kept)"
        return "takes a tuple, e.g. (1, 2), not a set (a set keeps no order)"
    for inner in ast.walk(node):
        if not isinstance(inner, ast.Dict):
            continue
        seen = []
        for key in inner.keys:
            try:
                value = ast.literal_eval(key) if key is not None else None
            except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
                continue
            if value in seen:
                return (f"names {value!r} twice in one mapping (Python keeps the last "
                        "without a word); give each key once")
            seen.append(value)
    return None


def _check_override_literals(argv):
    """Overrides whose value is a Python literal that ml_collections' parser reads with a loss
    (`_literal_problem`), for every key: one line naming the key."""
    import ast
    tree = _default_tree()
    for key, value in _overrides(argv):
        try:
            node = ast.parse(value.strip(), mode="eval").body
        except (SyntaxError, ValueError, MemoryError, RecursionError):
            continue  # text, not a literal: the key's own check says what it takes
        try:
            default = tree
            for part in key.split("."):
                default = default[part]
        except (KeyError, TypeError, AttributeError):
            default = None
        problem = _literal_problem(node, isinstance(default, tuple))
        if problem:
            fail(f"config key '{key}': {value.strip()} {problem}")


def _short_help_spelled_out(argv):
    """`-h`, the help flag of most command-line programs, as absl's `--helpshort` (absl has
    no `-h`: it was 'Unknown command line flag 'h'', exit 2), up to a `--` ending the flags."""
    argv = list(argv)
    end = argv.index("--") if "--" in argv else len(argv)
    return [("--helpshort" if a == "-h" and 0 < i < end else a) for i, a in enumerate(argv)]


def _raised_by_absl_flags(error) -> bool:
    """Whether absl's flag parser itself raised `error` (its innermost frame is absl's), as
    it does with a plain ValueError for `--noverbose=1`: a mistake on the command line, which
    the config file cannot fix."""
    frames = [frame for frame, _ in traceback.walk_tb(error.__traceback__)]
    return bool(frames) and os.path.join("absl", "flags") in frames[-1].f_code.co_filename


def _flag_syntax_message(error) -> str:
    text = safe_str(error).strip().splitlines()[0] if safe_str(error).strip() else ""
    negated = re.match(r"--?no([\w.]+)=.* does not take an argument", text)
    if negated:
        name = negated.group(1)
        return (f"--no{name} takes no value (it is --{name}=false); write --{name}=true, "
                f"--{name}=false or --no{name}")
    return f"{text or type(error).__name__}; see --helpshort for the flags"


def _fail_if_not_a_config(argv, error):
    """An override (`--config.train.epochs=1`) that failed because get_config() returned
    something else than a config (a list, a string, a class): told as that, in the words used
    without overrides (`_check_config_object`), not as the TypeError ml_collections raised
    setting a key on it. The object is the one ml_collections was setting the key on: the
    first argument of its deepest frame in `config_flags` (the file is not run again)."""
    frames = [frame for frame, _ in traceback.walk_tb(error.__traceback__)
              if frame.f_code.co_filename.endswith(os.path.join("config_flags",
                                                                "config_path.py"))]
    if not frames or not frames[-1].f_code.co_argcount:
        return
    target = frames[-1].f_locals.get(frames[-1].f_code.co_varnames[0])
    # ml_collections' stand-in for a file that did not load (missing, raised): not what
    # get_config() returned; the file's own error is reported by the caller
    if not isinstance(target, config_dict.ConfigDict) and \
            type(target).__name__ != "_ErrorConfig":
        _check_config_object(config_path(argv), target)


def _fail_if_required(error):
    """absl's 'flag --out=None: Flag --out must have a value other than None.' as one line
    saying the flag is required."""
    missing = re.search(r"Flag --(\w+) must have a value other than None", str(error))
    if missing:
        fail(f"--{missing.group(1)} is required; pass --{missing.group(1)}=... (see --helpshort "
             "for the flags)")


def _defines(path, name) -> bool:
    """Whether the Python file at `path` defines a function `name` (read, not run)."""
    import ast
    try:
        with open(path, encoding="utf-8") as f:
            tree = ast.parse(f.read())
    except (OSError, SyntaxError, ValueError):
        return False
    return any(isinstance(node, ast.FunctionDef) and node.name == name for node in tree.body)


def _user_exit(error):
    """A sys.exit(), KeyboardInterrupt or another BaseException (GeneratorExit, a class of
    the user's) raised by user code, as an error to report."""
    if isinstance(error, (SystemExit, KeyboardInterrupt)):
        return RuntimeError(f"{user_code_failure(error)} while loading")
    return error  # reported as any exception of the file's, at its line


def _asked_for_help(error) -> bool:
    """Whether `error` is the SystemExit absl's --help, --helpshort, --helpfull or --helpxml
    (or --only_check_args) ends the parsing with, after printing what was asked: raised by one
    of absl's own help flags, not by the user's config file."""
    from absl import app as absl_app
    helps = tuple(getattr(absl_app, name) for name in (
        "HelpFlag", "HelpfullFlag", "HelpXMLFlag", "OnlyCheckFlagsFlag")
        if hasattr(absl_app, name))
    return isinstance(error, SystemExit) and any(
        isinstance(frame.f_locals.get("self"), helps)
        for frame, _ in traceback.walk_tb(error.__traceback__))


def _check_config_path(path):
    """No --config, an empty one, a folder, a file that is not there: one line each, the
    same whether or not overrides follow (with one, ml_collections raised first, and the
    line was 'failed to load (OSError: ...); fix that file' for a file that does not exist)."""
    if not path:
        fail("no config given; pass --config=configs/NAME.py (see configs/ for the choices)")
    if os.path.isdir(path):
        fail(f"config file '{path}' is a folder; pass a config file, "
             f"--config={os.path.join(path, 'NAME.py')}")
    _check_not_special(path)
    value = _config_value() or path
    if re.match(r"[A-Za-z][\w+.-]*://", value):  # split at its ':' it named 'https'
        fail(f"config file '{value}' is a URL; config files are read from this machine's disk: "
             "copy it here and pass its path, --config=configs/NAME.py")
    if os.path.islink(path) and not os.path.exists(path):
        fail(f"config file '{path}' is a link to '{os.readlink(path)}', which does not exist "
             "(or links back to itself); point it at a config file, or pass that file's path")
    if not os.path.isfile(path):
        shipped = sorted(f for f in os.listdir("configs") if f.endswith(".py")
                         and not f.startswith("_")) if os.path.isdir("configs") else []
        fail(f"config file '{path}' does not exist; {config_fields.near_file(path)}pass "
             f"--config=configs/NAME.py (shipped: {', '.join(shipped) or 'see configs/'})")


def _check_not_special(path):
    """A config file that is a named pipe (`--config=<(...)`), socket or device: ml_collections
    reads it while parsing the flags, and waited forever on a pipe no one writes."""
    from ktrain_kit import fs
    if path and fs.special_kind(path):
        fail(f"config file '{path}' is {fs.special_kind(path)}, not a file; pass a config "
             "file, e.g. --config=configs/digits_mlp.py")


def _check_config_loaded(argv):
    path = config_path(argv)
    _check_config_path(path)
    try:
        config = FLAGS.config
    except Exception as e:  # noqa: BLE001 - the user's config file raised while loading
        _fail_loading(path, e)
    except BaseException as e:  # noqa: BLE001 - sys.exit() or the user's own BaseException
        _fail_loading(path, _user_exit(e))
    _check_config_object(path, config)


def _check_config_object(path, config):
    """The file's get_config() must return ktrain_kit's whole config, and nothing else."""
    start = "start from ktrain_kit.config.default_config() and change what you need"
    if not isinstance(config, config_dict.ConfigDict):
        got = "None (a missing return?)" if config is None else f"a {type(config).__name__}"
        fail(f"config file '{path}': get_config() returned {got}, not a config; {start}")
    from ktrain_kit.config import flat_keys
    expected, given = flat_keys(_default_tree()), flat_keys(config)
    missing = sorted(expected - given)
    if missing:
        fail(f"config file '{path}' lacks key{'s' if len(missing) > 1 else ''} "
             f"{', '.join(missing[:4])}{', ...' if len(missing) > 4 else ''}; {start}")
    unknown = sorted(given - expected)
    if unknown:
        close = difflib.get_close_matches(unknown[0], sorted(expected), n=1)
        hint = f"did you mean '{close[0]}'?" if close else "remove it"
        fail(f"config file '{path}' sets '{unknown[0]}', which ktrain_kit does not know; {hint}")


def _fail_loading(path, error):
    """One line for a config file that raised: the exception at the end of its traceback,
    unless the trouble is not in the file: a folder, compiled or binary bytes, or the
    `:ARGUMENT` of --config that its get_config() does not take (or needs)."""
    cause = error.__cause__ or error
    while _is_wrapper(cause) and (cause.__cause__ or cause.__context__):
        cause = cause.__cause__ or cause.__context__  # the file's own error, its exact words
    text = safe_str(cause)  # the user's exception: its own __str__ may raise
    if isinstance(cause, UserError):  # already names what to fix (from_run.py's run folder)
        fail(f"config file '{path}': {cause}")
    if path is not None:  # None: no --config at all, and the error is another flag's
        _check_config_path(path)
    if path and os.path.isfile(path):
        with open(path, "rb") as f:
            head = f.read(MAX_SOURCE_BYTES)
        encoding = config_fields.wide_text(head)
        if encoding:
            fail(config_fields.wide_source_message("config file", path, encoding))
        if b"\0" in head:
            fail(f"config file '{path}' is not Python source (compiled .pyc or binary "
                 "bytes); pass the .py file it came from")
    if path and not path.endswith(".py") and os.path.isfile(path):
        # a run's config.json, a YAML or TOML file, a README: Python's words about it
        # (NameError: name 'true' ...) would send the user into a file that is not code
        folder = os.path.dirname(path) or "."
        from ktrain_kit.config import from_run_config
        from_run = (f"; to train that run's config again: --config={from_run_config()}:{folder}"
                    if os.path.basename(path) == "config.json" else "")
        fail(f"config file '{path}' is not a Python config (it failed to load as one); pass "
             f"a .py file whose get_config() returns ktrain_kit's config{from_run}")
    if isinstance(cause, SyntaxError):
        where = f" at line {cause.lineno}" if cause.lineno else ""
        detail = f"SyntaxError{where}: {cause.msg}"
    elif _kind_in_words(text):
        detail = _kind_in_words(text)
    else:
        lines = [line for line in text.strip().splitlines() if line.strip()]
        detail = lines[-1].strip().rstrip(":") if lines else type(cause).__name__
        if lines and ":" not in detail.split(" ")[0]:
            detail = f"{type(cause).__name__}: {detail}"
    value = _config_value() or ""
    argument = value.split(":", 1)[1] if ":" in value else None
    if detail.startswith("TypeError: get_config() takes 0 positional") and argument is not None:
        fail(f"config file '{path}': its get_config() takes no argument, but --config gives "
             f"it ':{argument}'; drop that: --config={path}")
    if detail.startswith("TypeError: get_config() missing 1 required positional") and \
            argument is None:
        fail(f"config file '{path}': its get_config() needs an argument; pass it after a "
             f"colon: --config={path}:VALUE")
    if re.match(r"TypeError: get_config\(\) missing (\d+ required positional|1 required "
                r"keyword-only)", detail):
        # two arguments, or one keyword-only: no --config=PATH:ARG can give them (it passes
        # one, by position), and "pass it after a colon" sent the user round in a circle
        fail(f"config file '{path}': its get_config() needs "
             f"{detail.split('missing ', 1)[1]}, but --config=PATH:ARG passes one text "
             "argument, by position; give get_config() at most one parameter without a default")
    fail(f"config file '{path}'{_line_in(path, error)} failed to load ({detail}); fix that "
         "file")


MAX_SOURCE_BYTES = 1 << 20  # read to find NUL bytes: a config file is a page of Python


def _is_wrapper(error) -> bool:
    """absl's and ml_collections' exceptions around the config file's own one (their text
    ends with the file's traceback, whose last line is the file's error: lost when empty)."""
    return isinstance(error, flags.Error) or (
        type(error) is ValueError and safe_str(error).startswith("Error whilst parsing config"))


def _line_in(path, error) -> str:
    """' at line N' of the config file where it raised (the deepest frame in that file),
    else ''. A user's file is short, but the line saves reading it all."""
    if not path:
        return ""
    target, line, seen = os.path.abspath(path), None, set()
    chain = [error]  # absl and ml_collections re-raise: the file's frames are further down
    while chain:
        exception = chain.pop()
        if exception is None or id(exception) in seen:
            continue
        seen.add(id(exception))
        inside = [number for frame, number in traceback.walk_tb(exception.__traceback__)
                  if os.path.abspath(frame.f_code.co_filename) == target]
        line = line or (inside[-1] if inside else None)  # the deepest frame in the file
        chain += [exception.__cause__, exception.__context__]
    return f" at line {line}" if line else ""


KIND_WORDS = config_fields.TYPE_NAME_WORDS
_kind_in_words = config_fields.kind_in_words  # ml_collections' refusal of a value, in words


# Every KTRAIN_KIT_* environment variable ktrain_kit reads: the values it takes (a full match)
# and the words for them. A value outside them was acted on wrongly without a word
# (ASSUME_BF16_CPU=on read as false) or crashed at the first file written (CRASH_AT=abc).
# tests/test_bad_input_classes.py checks that every such name in the code is here.
ENVIRONMENT = {
    "KTRAIN_KIT_ASSUME_BF16_CPU": (r"(?i)|0|1|true|false|yes|no", "1 or 0 (true/false, yes/no)"),
    "KTRAIN_KIT_CRASH_AT": (r"|[0-9]+(:group)?", "N or N:group (a test hook; 0 lists the "
                            "write points without killing)"),
    "KTRAIN_KIT_CRASH_GROUP": (r"|[1-9][0-9]*", "a process group id (set by ktrain_kit)"),
    "KTRAIN_KIT_CRASH_LOG": (r"(?s).*", "a file path (a test hook)"),
}


# Other programs' variables that decide whether ktrain_kit can run at all. KERAS_BACKEND=jax
# (or a name Keras does not know) ended in Keras' import error, a traceback: ktrain_kit's
# engine, callbacks and export are TensorFlow's.
FOREIGN_ENVIRONMENT = {
    "KERAS_BACKEND": (r"|tensorflow", "tensorflow (ktrain_kit runs on Keras' TensorFlow "
                      "backend)"),
}


def check_environment(environ=None) -> None:
    """Refuses a KTRAIN_KIT_* variable with a value it does not take (and KERAS_BACKEND
    naming another backend than TensorFlow): one line naming it."""
    environ = os.environ if environ is None else environ
    for name, (pattern, words) in {**ENVIRONMENT, **FOREIGN_ENVIRONMENT}.items():
        value = environ.get(name)
        exact = name in FOREIGN_ENVIRONMENT  # Keras takes no spaces around the name
        if value is not None and not re.fullmatch(pattern, value if exact else value.strip()):
            fail(f"environment variable {name}={value!r} is not {words}; set it to one of "
                 f"those, or unset it (unset {name})")


def check_arguments_decodable(argv=None) -> None:
    """Refuses an argument holding bytes the locale could not decode (`LANG=C`, a path with
    'é'): Python keeps them as stand-in characters that the file system takes back, but
    TensorFlow cannot turn into text, so the run crashed at its first checkpoint or log, with
    a traceback, after the data and model were built. One line, before anything."""
    for arg in (sys.argv if argv is None else argv)[1:]:
        try:
            arg.encode("utf-8")
        except UnicodeEncodeError:
            shown = os.fsencode(arg).decode("utf-8", "backslashreplace")
            name, eq, value = shown.partition("=")
            what = f"{name}='{value}'" if shown.startswith("-") and eq else f"'{shown}'"
            locale = os.environ.get("LC_ALL") or os.environ.get("LC_CTYPE") or \
                os.environ.get("LANG") or "unset"
            fail(f"{what} holds characters this process's locale ({locale}) "
                 "cannot read, and TensorFlow cannot use them; run with a UTF-8 locale "
                 "(export LC_ALL=C.UTF-8) or use ASCII characters only")


def keep_caches_out_of_home():
    """Matplotlib's font cache and Keras' keras.json go to a temporary folder of this user's,
    not to HOME (unless the user pointed them somewhere). Before either is imported."""
    import tempfile
    scratch = os.path.join(tempfile.gettempdir(), f"ktrain_kit-{os.getuid()}")
    for variable, name in (("MPLCONFIGDIR", "matplotlib"), ("KERAS_HOME", "keras")):
        if not os.environ.get(variable):
            path = os.path.join(scratch, name)
            try:
                os.makedirs(path, mode=0o700, exist_ok=True)
            except OSError:
                continue
            os.environ[variable] = path


RERUN = "re-run the same command: it continues from what was saved"


def _raised_from(error, kind):
    """`error`, or an exception it was raised from, of `kind`: a signal's `Preempted` raised
    while a library runs (TensorFlow tracing the export's function) comes out wrapped in the
    library's own error (a TypeError 'Binding inputs to tf.function failed due to ...')."""
    seen = set()
    while error is not None and id(error) not in seen:
        if isinstance(error, kind):
            return error
        seen.add(id(error))
        error = error.__cause__ or error.__context__
    return None


def ending(error: BaseException):
    """(one line, exit code) for an error with a clear meaning; None for anything else (a bug:
    its traceback is shown). Every launcher ends through here, so a failure is reported the
    same wherever it happens: a bad input, an interrupt, a full disk, a file that cannot be
    written (ktrain_kit's files are replaced whole, so nothing on disk is half-written)."""
    from ktrain_kit.runfolder import disk_full
    from ktrain_kit.stopping import RAISED, Preempted
    # A signal first: raised inside the user's code (a model builder), it comes out wrapped
    # in the error that code's failures are reported as (model.name), which is not the cause;
    # or replaced by a library's error that only quotes it (pybind11: stopping.RAISED).
    preempted = _raised_from(error, Preempted) or next(
        (stop for stop in RAISED if str(stop) in str(error)), None)
    if preempted is not None:
        return f"{preempted}; re-run the same command to resume", EXIT_PREEMPTED
    if isinstance(error, UserError):
        return str(error), EXIT_USER_ERROR
    if isinstance(error, KeyboardInterrupt):
        return ("interrupted before a checkpoint could be saved; the newest checkpoint on "
                "disk is kept: re-run the same command to resume", EXIT_INTERRUPTED)
    scheme = _unknown_scheme(error)
    if scheme:
        return scheme, EXIT_USER_ERROR
    lost = _collective_aborted(error)
    if lost:  # multi-worker: the cause is in the output of the worker that stopped first
        return (f"a step all workers take together was aborted ({lost}): another worker of the "
                "cluster stopped or cannot be reached; read its output for why, fix that, then "
                "re-run the same command on every worker (a run with a checkpoint resumes)",
                EXIT_FAILED)
    where = _failed_path(error)
    if disk_full(error):  # before memory: TensorFlow's SaveV2 reports ENOSPC as ResourceExhausted
        return (f"the disk is full (or over quota){where}; free some space and {RERUN}",
                EXIT_FAILED)
    if out_of_memory(error):
        return (f"out of memory ({_first_words(error)}); use a smaller data.batch_size, model "
                "or input size (data.image_size, data.text_length, data.seq_len); files already "
                "in the run folder are kept", EXIT_FAILED)
    if getattr(error, "errno", None) == errno.EISDIR or "; Is a directory" in str(error):
        # A folder made (by hand, a sync tool) where the run writes one of its files: making
        # the folder writable would not help; TensorFlow's errors name the path only in words.
        where = where or _path_in_words(str(error))
        return (f"a folder stands where a file is written{where}; remove or move that folder, "
                f"then {RERUN}", EXIT_USER_ERROR)
    if getattr(error, "errno", None) == errno.ENOENT or (
            type(error).__name__ == "NotFoundError" and "No such file or directory" in str(error)):
        # a file read (data, a link to nothing) or a folder removed while the run went on:
        # making a folder writable would not help
        return (f"a file or folder is missing{where or _path_in_words(str(error))} (moved, "
                f"deleted, or a link to nothing); put it back or fix the path, then {RERUN}",
                EXIT_USER_ERROR)
    denied = getattr(error, "errno", None) in (errno.EACCES, errno.EPERM, errno.EROFS) or \
        type(error).__name__ == "PermissionDeniedError" or "Read-only file system" in str(error)
    if isinstance(error, OSError) or denied:
        reason = getattr(error, "strerror", None) or str(error).splitlines()[0][:200]
        if not denied:  # a file that is not what it should be (h5py's 'file signature not
            # found' for a weights file that is no HDF5): writability is not the problem
            return (f"a file could not be read or written{where} ({reason}); check that the "
                    f"path names the file meant, and that it is whole, then {RERUN}",
                    EXIT_USER_ERROR)
        return (f"a file operation failed{where} ({reason}); make that folder writable (or "
                f"choose another one), then {RERUN}", EXIT_USER_ERROR)
    return None


def _unknown_scheme(error):
    """The line for a path whose scheme (https://, s3://, hdfs://) TensorFlow has no file
    system for, wherever it is read or written (data.path, --workdir, an export): TensorFlow
    raises UnimplementedError at the first access, a traceback until now. None otherwise."""
    found = re.search(r"File system scheme '([^']*)' not implemented \(file: '([^']*)'\)",
                      safe_str(error))
    if type(error).__name__ != "UnimplementedError" or not found:
        return None
    scheme, path = found.groups()
    return (f"'{path}': this TensorFlow cannot read or write {scheme}:// paths; give a local "
            "path or a gs:// one instead (s3:// and hdfs:// need the tensorflow-io package)")


def out_of_memory(error) -> bool:
    """Python's MemoryError or TensorFlow's ResourceExhaustedError (an OOM while allocating)."""
    return isinstance(error, MemoryError) or type(error).__name__ == "ResourceExhaustedError"


def _collective_aborted(error) -> str | None:
    """TensorFlow's reason, one line, when a collective op of a cluster's run (TF_CONFIG or
    Slurm) was aborted: every worker but the one that failed first reports only this (a peer's
    refusal, crash or lost connection: 'failed to connect to all addresses'); None for anything
    else (in one process, replicas' collectives abort on that process's own error)."""
    if not (os.environ.get("TF_CONFIG") or os.environ.get("SLURM_JOB_ID")):
        return None
    text = " ".join(str(error).split())
    marker = "Collective ops is aborted by: "
    at = text.rfind(marker)
    if at < 0:
        return None
    return re.split(r" (?:Additional GRPC|The error could be)", text[at + len(marker):])[0][:160]


def _first_words(error) -> str:
    """The OOM's own words, one line: TensorFlow's carry the tensor's shape."""
    text = " ".join(str(error).split())
    at = text.find("OOM when allocating")
    return (text[at:at + 120] if at >= 0 else text[:120]) or type(error).__name__


def _path_in_words(text) -> str:
    """` at 'PATH'` from TensorFlow's `... /r/checkpoints/ckpt-2.index; Is a directory`, the
    checkpoint's file rather than its scratch part (`ckpt-2_temp/part-00000-of-00001.data...`)."""
    found = re.search(r"(\S+); (?:Is a directory|No such file or directory)", text)
    return f" at '{re.sub(r'_temp/part-[0-9]+-of-[0-9]+', '', found.group(1))}'" if found else ""


def _failed_path(error) -> str:
    """` at 'PATH'` for the file an OSError names, else ''. The file being written, not the
    temporary file it goes to first (`metrics.csv`, not `metrics.csv.tmp-1234`)."""
    from ktrain_kit import fs
    paths = [fs.temp_target(p) if fs.is_temp(p) else str(p) for p in
             (getattr(error, "filename", None), getattr(error, "filename2", None)) if p]
    paths = list(dict.fromkeys(paths))  # a rename into place names the file once
    return " at " + " -> ".join(f"'{p}'" for p in paths) if paths else ""


def run(main, takes_arguments=False):
    """Runs `main(argv)` under absl with our flag parsing and error reporting. A launcher that
    does not take arguments besides flags refuses one (`evaluate --workdir=RUN extra` ignored
    `extra`; a stray word is usually a flag missing its `--` or `=`)."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # hide TensorFlow's C++ start-up chatter
    check_environment()
    check_arguments_decodable()
    keep_caches_out_of_home()
    frameworks.install()  # wherever TensorFlow is first imported: quick and quiet

    def guarded(argv):
        logging.set_verbosity(logging.WARNING)
        if len(argv) > 1 and not takes_arguments:
            fail(f"unexpected argument '{argv[1]}'; flags look like --NAME=VALUE (see "
                 "--helpshort for this command's flags)")
        try:
            return main(argv)
        except (Exception, KeyboardInterrupt) as e:  # noqa: BLE001 - see `ending`
            known = ending(e)
            if known is None:
                raise
            if FLAGS.verbose and not isinstance(e, KeyboardInterrupt):
                traceback.print_exc()
            fail(*known)

    app.run(guarded, flags_parser=parse_flags)
