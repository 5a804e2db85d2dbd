"""Running a class's grading tasks: in this process, on a pool of local workers, or on a Dask cluster.

Every path is the same `concurrent.futures` executor interface around `grading.grade_task`: local
workers are a `ProcessPoolExecutor`, a cluster is a `distributed.Client`'s executor. Each worker
process keeps one sandbox and forks a fresh session from it per submission; only the caller,
which receives the results one by one, writes the gradebook, so nothing is lost or written twice.
A local worker that dies takes only its own submission down: the others are submitted again to a
fresh pool (a Dask cluster reschedules them itself). A progress bar says how many are done, how many
could not be graded and how long is left.
"""
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool

from grader.grading import Result, Task, grade_task

MAX_POOL_RESTARTS = 3


def run_tasks(tasks: list[Task], workers: int | None, scheduler: str | None, isolated: bool,
              show_progress: bool = True):
    """Yield one Result per task, in the order they finish."""
    from tqdm.auto import tqdm

    bar = tqdm(total=len(tasks), unit="submission", disable=not show_progress or not tasks, dynamic_ncols=True)
    failed = 0
    try:
        for result in _results(tasks, workers, scheduler, isolated):
            failed += result.status != "graded"
            bar.set_postfix_str(f"{failed} could not be graded" if failed else "", refresh=False)
            bar.update()
            yield result
    finally:
        bar.close()


def _results(tasks, workers, scheduler, isolated):
    if scheduler is not None:
        from distributed import Client

        with Client(scheduler) as client:
            yield from _through(client.get_executor(pure=False), tasks, isolated)
        return
    workers = workers or len(os.sched_getaffinity(0))
    if workers == 1 or len(tasks) <= 1:
        for task in tasks:
            yield grade_task(task, isolated)
        return
    pending = list(tasks)
    for _ in range(MAX_POOL_RESTARTS):
        with ProcessPoolExecutor(max_workers=min(workers, len(pending)),
                                 mp_context=multiprocessing.get_context("spawn")) as pool:
            done = []
            try:
                for result in _through(pool, pending, isolated):
                    done.append((result.student_id, result.chapter))
                    yield result
                return
            except BrokenProcessPool:  # a worker died: grade the rest again on a fresh pool
                pending = [t for t in pending if (t.student_id, t.chapter.id) not in done]
    for task in pending:
        yield Result(task.student_id, task.chapter.id, task.sha256, "failed",
                     "the grading worker died while grading this submission, again after a restart")


def _through(executor, tasks, isolated):
    futures = {executor.submit(grade_task, task, isolated): task for task in tasks}
    try:
        for future in as_completed(futures):
            yield future.result()
    finally:
        for future in futures:
            future.cancel()
