"""`python -m launchers.X ...` for tests, without paying TensorFlow's start-up each time.

A launcher command in a fresh interpreter spends about 4.5 s of CPU loading TensorFlow and Keras
before it reads its first flag, and the crash, fault and bad-input tests run hundreds of them.
Here each command runs in a child forked from a server process that has loaded the frameworks
the way every launcher loads them (ktrain_kit.frameworks) and has run nothing else - no op, no
ktrain_kit module beyond that one. The child is a real process: its own pid, session, exit code,
signals, stdout and stderr, environment and working directory, and Python's own exit (atexit,
threads, a traceback and exit code 1 for an uncaught exception).

What a fork cannot show is the start-up itself: TensorFlow's C++ start-up lines, what an
environment variable read while the frameworks load changes, and a string hash seed of its own
(children share the server's). So a command whose environment sets such a variable
(`LOAD_TIME_VARIABLES`, PYTHONHASHSEED among them) otherwise than this process's starts a fresh
interpreter instead, as does any command while another is running in this process; when this
process's own environment changes in one, the server is started again. tests/test_startup.py
launches every launcher fresh, and tests/test_distributed.py repeats a run under two seeds.
"""

import atexit
import json
import os
import re
import select
import signal
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# Read while TensorFlow, Keras, NumPy or the interpreter load: a command that sets one of these
# otherwise than the server was started with gets a fresh interpreter.
LOAD_TIME_VARIABLES = re.compile(
    r"^(TF_|TENSORFLOW_|CUDA_|ONEDNN_|DNNL_|MKL|KMP_|OMP_|OPENBLAS_|XLA_|KERAS_|PYTHON|LD_|"
    r"MALLOC|GRPC_|ABSL_|HOME$|PATH$)")
_server = None
_busy = threading.Lock()


def run(module, args, env, cwd=ROOT, timeout=300, new_session=False):
    """`python -m module *args` as subprocess.run(..., capture_output=True, text=True) would
    give it: a CompletedProcess, or subprocess.TimeoutExpired after `timeout` (child killed)."""
    command = [sys.executable, "-m", module, *args]
    base = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"}
    if not _same_at_load_time(env, base) or not _busy.acquire(blocking=False):
        return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=timeout,
                              env=env, start_new_session=new_session)
    try:
        return _server_for(base).launch(command, module, list(args), env, cwd, timeout,
                                        new_session)
    finally:
        _busy.release()


def _same_at_load_time(env, other):
    return all(env.get(k) == other.get(k) for k in {*env, *other}
               if LOAD_TIME_VARIABLES.match(k))


class _Server:
    def __init__(self, env):
        self.env = env
        self.process = subprocess.Popen(
            [sys.executable, os.path.abspath(__file__)], cwd=ROOT, env=self.env,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        atexit.register(self.process.kill)
        self._unread = b""  # what came from the server past the last line returned

    def _reply(self, timeout):
        """The server's next line, or None after `timeout` seconds. Read from the pipe's file
        descriptor, with a buffer of our own: select() sees only bytes no reader has taken,
        and a buffered readline() takes a fast command's two lines (its pid, then its exit)
        at once, leaving select() to wait for a line already read - a refusal in a few
        milliseconds was judged a time-out, and every launch after it read stale lines."""
        deadline = time.monotonic() + timeout
        descriptor = self.process.stdout.fileno()
        while b"\n" not in self._unread:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([descriptor], [], [], left)[0]:
                return None
            chunk = os.read(descriptor, 1 << 16)
            if not chunk:
                raise RuntimeError("the launch server ended")
            self._unread += chunk
        line, self._unread = self._unread.split(b"\n", 1)
        return json.loads(line)

    def launch(self, command, module, args, env, cwd, timeout, new_session):
        with tempfile.TemporaryDirectory() as tmp:
            out, err = os.path.join(tmp, "stdout"), os.path.join(tmp, "stderr")
            request = {"module": module, "args": args, "env": env, "cwd": cwd,
                       "stdout": out, "stderr": err, "new_session": new_session}
            self.process.stdin.write(json.dumps(request) + "\n")
            self.process.stdin.flush()
            pid = self._reply(120)["pid"]
            ended = self._reply(timeout)
            if ended is None:
                os.killpg(pid, signal.SIGKILL) if new_session else os.kill(pid, signal.SIGKILL)
                if self._reply(60) is None:  # the server did not see it end: start anew
                    self.process.kill()
            with open(out, errors="replace") as f, open(err, errors="replace") as g:
                stdout, stderr = f.read(), g.read()
        if ended is None:
            raise subprocess.TimeoutExpired(command, timeout, output=stdout, stderr=stderr)
        return subprocess.CompletedProcess(command, ended["returncode"], stdout, stderr)


def _server_for(base):
    """The server, started again when this process's environment has changed since in a
    variable read at load time (an in-process launcher sets KERAS_HOME, say)."""
    global _server
    if _server is not None and (_server.process.poll() is not None or
                                not _same_at_load_time(_server.env, base)):
        _server.process.kill()
        _server.process.wait()
        _server = None
    if _server is None:
        _server = _Server(base)
    return _server


def _serve():
    """The server: load the frameworks, then fork one child per request line on stdin."""
    requests, replies = os.fdopen(os.dup(0), "r"), os.fdopen(os.dup(1), "w")
    null = os.open(os.devnull, os.O_RDWR)
    os.dup2(null, 0)
    os.dup2(null, 1)
    sys.path[0] = ROOT
    from ktrain_kit.frameworks import import_frameworks
    import_frameworks()
    for line in requests:
        request = json.loads(line)
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            requests.close()
            replies.close()
            _child(request, null)  # ends in SystemExit: Python's own exit, in the child
        replies.write(json.dumps({"pid": pid}) + "\n")
        replies.flush()
        _, status = os.waitpid(pid, 0)
        replies.write(json.dumps({"returncode": os.waitstatus_to_exitcode(status)}) + "\n")
        replies.flush()


def _child(request, null):
    import runpy
    if request["new_session"]:
        os.setsid()
    for fd, path in ((1, request["stdout"]), (2, request["stderr"])):
        opened = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(opened, fd)
        os.close(opened)
    os.dup2(null, 0)
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    sys.path[0] = os.getcwd()  # as `python -m` sets it
    sys.argv = [request["module"], *request["args"]]  # runpy puts the module's file first
    try:
        runpy.run_module(request["module"], run_name="__main__", alter_sys=True)
        code = 0
    except SystemExit as exit:
        code = _exit_code(exit.code)
    except KeyboardInterrupt:
        code = -signal.SIGINT
        sys.excepthook(*sys.exc_info())
    except BaseException:
        code = 1
        sys.excepthook(*sys.exc_info())
    _exit(code)


def _exit_code(code):
    """What Python exits with for SystemExit(code): None is 0, a non-integer is printed."""
    if code is None or isinstance(code, int):
        return code or 0
    print(code, file=sys.stderr)
    return 1


def _exit(code):
    """Python's exit up to its last step: threads joined, atexit run, garbage collected (a
    `__del__` that fails still says so on stderr), output flushed. The last step, tearing down
    every module and object, is left out: in a fork it copies every page it touches, 0.3 s of
    CPU a command, and the fresh launches of tests/test_startup.py still take it."""
    threading._shutdown()
    import atexit as exits
    import gc
    exits._run_exitfuncs()
    gc.collect()  # the frameworks' objects are frozen (ktrain_kit.frameworks): the run's only
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    if code < 0:  # killed by a signal (an interrupt), as Python does it
        signal.signal(-code, signal.SIG_DFL)
        os.kill(os.getpid(), -code)
    os._exit(code & 0xFF)


if __name__ == "__main__":
    _serve()
