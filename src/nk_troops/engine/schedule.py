"""Tasks with dependencies on a pool of threads (``concurrent.futures``): each task starts once every task it
comes after has finished, the lowest priority number first among those ready; a task may return more tasks.
With one worker the tasks run in the calling thread, in the same order: a thread of its own would only add a
hand-over per task, which on a small package (the records' own check) is a good part of the time."""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import Any


class _InThisThread(Executor):
    """Runs each task when it is submitted, in the calling thread: the executor of one worker."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        future: Future[Any] = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as e:  # raised where the result is asked for, as from a thread
            future.set_exception(e)
        return future


@dataclass(frozen=True)
class Task:
    name: str
    priority: float
    run: Callable[[], list[Task]]
    after: frozenset[str] = frozenset()


def run_tasks(tasks: Iterable[Task], workers: int, finished: Iterable[str] = ()) -> None:
    """Run every task (and every task they return); ``finished``: names to count as done already.

    At most ``workers`` tasks run at once, so a task that becomes ready with a higher priority is
    started before those still waiting (tasks are submitted one per free worker, not all at once).
    The first exception raised by a task is raised here, once the running tasks have finished."""
    if workers < 1:
        raise ValueError(f"run_tasks needs at least one worker, not {workers}")
    done = set(finished)
    waiting = list(tasks)
    ready: list[tuple[float, int, Task]] = []
    order = itertools.count()

    def release() -> None:
        nonlocal waiting
        blocked = []
        for task in waiting:
            if task.after <= done:
                heapq.heappush(ready, (task.priority, next(order), task))
            else:
                blocked.append(task)
        waiting = blocked

    release()
    with ThreadPoolExecutor(max_workers=workers) if workers > 1 else _InThisThread() as pool:
        running: dict[Future[list[Task]], Task] = {}
        while ready or running:
            while ready and len(running) < workers:
                task = heapq.heappop(ready)[2]
                running[pool.submit(task.run)] = task
            finished_now, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in sorted(finished_now, key=lambda f: running[f].name):
                waiting.extend(future.result())
                done.add(running.pop(future).name)
            release()
    if waiting:
        raise RuntimeError(f"tasks whose dependencies never finish: {sorted(t.name for t in waiting)}")
