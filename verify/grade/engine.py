"""Judge unique answers: serially, in a pool of worker processes, or on a Dask cluster.

A work item names its question by a *spec* that any process can rebuild (``("bank", id)``
or ``("toml", table)``), so items pickle cheaply and a Dask worker on another machine
needs only this package. Each judgement runs in :func:`verify.answers.judge.judge_with_budget`
(its own killable, memory-capped child), so the per-answer budget holds inside every
worker. The verdict depends only on the question, the answer and the seed, never on the
engine: serial, ``--jobs N`` and Dask runs give identical verdicts.
"""

from __future__ import annotations

import json
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from functools import lru_cache
from multiprocessing import get_context

__all__ = ["WorkItem", "judge_item", "run_items"]


@dataclass(frozen=True)
class WorkItem:
    index: int
    qspec: tuple  #: ("bank", id) or ("toml", json text of the question table)
    answer: str | None
    latex: str | None
    seed: int
    budget: float
    memory: int


@lru_cache(maxsize=256)
def _question(qspec: tuple):
    from ..answers.bank import BANK, question_from_toml

    kind, value = qspec
    if kind == "bank":
        return {q.id: q for q in BANK}[value]
    return question_from_toml(json.loads(value))


def judge_item(item: WorkItem) -> tuple:
    """``(index, verdict dict)``; never raises for a bad answer (the judge maps it to a verdict)."""
    from ..answers.judge import Verdict, judge_with_budget

    try:
        q = _question(item.qspec)
        v = judge_with_budget(q, budget=item.budget, memory=item.memory, answer=item.answer, latex=item.latex,
                              vid="", seed=item.seed)
    except Exception as exc:  # noqa: BLE001 (a bug of ours: reported as the verdict error)
        v = Verdict("", item.qspec[1] if item.qspec[0] == "bank" else "", "error",
                    f"{type(exc).__name__}: {exc}")
    return item.index, v.to_json()


DASK_BATCH = 8  #: answers per Dask task at most


def judge_batch(items: list) -> list:
    """:func:`judge_item` over a batch (one Dask task)."""
    return [judge_item(item) for item in items]


def run_items(items: list, *, jobs: int = 1, scheduler: str | None = None):
    """Yield ``(index, verdict dict)`` as judgements finish (in completion order)."""
    if not items:
        return
    if scheduler:
        yield from _dask(items, scheduler)
    elif jobs <= 1:
        for item in items:
            yield judge_item(item)
    else:
        pool = ProcessPoolExecutor(max_workers=jobs, mp_context=get_context("fork"))
        futures = [pool.submit(judge_item, item) for item in items]
        try:
            for f in as_completed(futures):
                yield f.result()
        finally:
            for f in futures:
                f.cancel()
            pool.shutdown(wait=True, cancel_futures=True)


def _dask(items, scheduler):
    try:
        from distributed import Client, as_completed as dask_completed
    except ImportError:  # pragma: no cover (the extra is not installed)
        raise RuntimeError("--scheduler needs Dask distributed: pip install '.[distributed]'") from None
    client = scheduler if not isinstance(scheduler, str) else Client(scheduler, timeout="20s")
    own = isinstance(scheduler, str)
    try:
        # small batches: a Dask task costs a scheduler round trip and a fork from a multi-threaded worker, so
        # one task per answer was 20% slower than the local pool; a batch still reports (and is stored) at once
        size = max(1, min(DASK_BATCH, len(items) // (4 * max(1, len(client.scheduler_info().get("workers", {})) or 1))))
        batches = [items[i:i + size] for i in range(0, len(items), size)]
        futures = client.map(judge_batch, batches, pure=False)
        try:
            for f in dask_completed(futures):
                yield from f.result()
        finally:
            client.cancel(futures)
    finally:
        if own:
            client.close()
