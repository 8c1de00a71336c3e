"""Verdicts stored as they arrive, so an interrupted run resumes where it stopped.

One SQLite file (``DIR/verdicts.sqlite``, WAL journal) with one row per judged
(question fingerprint, answer key, seed); each row is committed on its own, so a crash,
Ctrl-C or a lost worker loses at most the judgements in flight. The fingerprint hashes
everything that defines the question (reference, relation, symbols and domains,
tolerance, the primitive quantity's name) and the time budget, so a changed question
invalidates only its own rows, and an ``unknown`` verdict (time or memory ran out) is
reused by the same command but judged again with another ``--budget``.

>>> import tempfile, os
>>> with tempfile.TemporaryDirectory() as d:
...     s = Store(os.path.join(d, "v.sqlite"))
...     s.put("fp", "node:x", 0, {"verdict": "correct"})
...     s.get_many("fp", ["node:x", "node:y"], 0)
{'node:x': {'verdict': 'correct'}}
"""

from __future__ import annotations

import hashlib
import json
import sqlite3

__all__ = ["Store", "fingerprint"]


def fingerprint(q, *, budget: float) -> str:
    """A hash of what defines question ``q`` (and the budget, which can change an ``unknown``)."""
    quantity = getattr(q, "quantity", None)
    data = {
        "id": q.id, "reference": q.reference, "relation": q.relation,
        "symbols": {k: (list(v) if isinstance(v, tuple) else v) for k, v in sorted(q.symbols.items())},
        "quantity": getattr(quantity, "__qualname__", None if quantity is None else str(quantity)),
        "extra": {k: repr(getattr(q, k)) for k in ("tolerance", "function", "wrt", "order", "quantity_text")
                  if hasattr(q, k)},
        "budget": budget,
    }
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=repr).encode()).hexdigest()[:32]


class Store:
    def __init__(self, path: str):
        self.path = path
        self.db = sqlite3.connect(path, timeout=30.0, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.execute("CREATE TABLE IF NOT EXISTS judged (fingerprint TEXT NOT NULL, key TEXT NOT NULL, "
                        "seed INTEGER NOT NULL, verdict TEXT NOT NULL, PRIMARY KEY (fingerprint, key, seed))")

    def get_many(self, fp: str, keys: list, seed: int) -> dict:
        out = {}
        for i in range(0, len(keys), 500):
            chunk = keys[i:i + 500]
            marks = ",".join("?" * len(chunk))
            rows = self.db.execute(f"SELECT key, verdict FROM judged WHERE fingerprint = ? AND seed = ? "
                                   f"AND key IN ({marks})", [fp, seed, *chunk])
            for key, verdict in rows:
                out[key] = json.loads(verdict)
        return out

    def put(self, fp: str, key: str, seed: int, verdict: dict) -> None:
        self.db.execute("INSERT OR REPLACE INTO judged VALUES (?, ?, ?, ?)", (fp, key, seed, json.dumps(verdict)))

    def count(self) -> int:
        return self.db.execute("SELECT COUNT(*) FROM judged").fetchone()[0]

    def close(self) -> None:
        self.db.close()
