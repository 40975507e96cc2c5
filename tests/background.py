"""Commands that are only a process to wait for (type checking, the benchmark script) run on the machine's other
core while the rest of the suite runs; the tests that assert on them run last and only read the result.

A test module registers its commands when it is imported (``register``); conftest.py moves that module's tests to
the end of the session and, once collection is done, starts one thread that runs the commands of the selected
modules one after another. ``result`` waits for a command (running it here if it was never started) and returns its
CompletedProcess, so a test asserts exactly what it would on a process it ran itself. Processes still running when
the session ends are killed.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path

TMP = "{tmp}"
"""Replaced, in a command's arguments, by a temporary folder made for that run and removed after it."""


@dataclass
class Job:
    argv: list[str]
    cwd: Path
    timeout: float
    done: threading.Event = field(default_factory=threading.Event)
    proc: subprocess.Popen | None = None
    outcome: subprocess.CompletedProcess | BaseException | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def run(self) -> None:
        with self.lock:  # started once, by the background thread or by the test that needs it first
            if self.done.is_set():
                return
            if STOPPED.is_set():  # the session is over: start nothing more
                self.outcome = RuntimeError("the test session ended before this command ran")
                self.done.set()
                return
            try:
                with tempfile.TemporaryDirectory(prefix="nk-troops-tests-") as tmp:
                    argv = [a.replace(TMP, tmp) for a in self.argv]
                    self.proc = subprocess.Popen(
                        argv, cwd=self.cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
                    )
                    try:
                        out, err = self.proc.communicate(timeout=self.timeout)
                    except subprocess.TimeoutExpired as e:
                        self.proc.kill()
                        self.proc.communicate()
                        raise AssertionError(f"{' '.join(argv)} ran longer than {self.timeout} s") from e
                    self.outcome = subprocess.CompletedProcess(argv, self.proc.returncode, out, err)
            except BaseException as e:  # handed to the test, which fails with it
                self.outcome = e
            finally:
                self.done.set()


STOPPED = threading.Event()
JOBS: dict[str, Job] = {}
MODULES: dict[str, list[str]] = {}
"""The registering module's file → the names of its commands."""


def register(module_file: str, name: str, argv: list[str], *, cwd: Path, timeout: float) -> None:
    JOBS[name] = Job(list(argv), Path(cwd), timeout)
    MODULES.setdefault(os.path.realpath(module_file), []).append(name)


def result(name: str) -> subprocess.CompletedProcess:
    job = JOBS[name]
    job.run()  # returns at once if the background thread ran it; waits for it while it runs
    job.done.wait()
    if isinstance(job.outcome, BaseException):
        raise job.outcome
    assert job.outcome is not None
    return job.outcome


def start(selected_files: set[str]) -> threading.Thread | None:
    """Run, one after another in a thread of their own, the commands of the modules among ``selected_files``."""
    names = [n for f, ns in MODULES.items() if f in selected_files for n in ns]
    if not names:
        return None
    thread = threading.Thread(target=lambda: [JOBS[n].run() for n in names], name="background-commands", daemon=True)
    thread.start()
    return thread


def stop() -> None:
    """Kill whatever is still running and start nothing more (a session ended early, by -x or an interrupt)."""
    STOPPED.set()
    for job in JOBS.values():
        proc = job.proc
        if proc is not None and proc.poll() is None:
            proc.kill()
