r"""Spiders and flies on a line (seed 003's example, in 1-D), simulated from its rules.

Positions ``0 .. L-1``. Each stage every spider moves by -1, 0 or +1 (clipped to the line);
a fly is caught when a spider ends the stage on it. Flies do not move. The cost is the
number of stages until every fly is caught. The base policy moves each spider one step
toward the nearest surviving fly (ties to the lower position).

>>> inst = Instance(10, (3, 4), (0, 9))
>>> base_time(inst), rollout_time(inst)
(11, 5)
"""

from __future__ import annotations

from functools import lru_cache
from itertools import product
from typing import NamedTuple

__all__ = ["Instance", "base_time", "rollout_time", "lookahead_only_time", "MOVES", "HORIZON"]

MOVES = (-1, 0, 1)
HORIZON = 200  #: a policy that has not caught every fly by then is charged HORIZON


class Instance(NamedTuple):
    length: int
    spiders: tuple
    flies: tuple  #: positions of the surviving flies (sorted)

    def readable(self) -> dict:
        return {"length": self.length, "spiders": list(self.spiders), "flies": list(self.flies)}


def _step(inst: Instance, moves) -> Instance:
    spiders = tuple(min(max(p + d, 0), inst.length - 1) for p, d in zip(inst.spiders, moves))
    flies = tuple(f for f in inst.flies if f not in spiders)
    return Instance(inst.length, spiders, flies)


def _base_moves(inst: Instance):
    moves = []
    for p in inst.spiders:
        if not inst.flies:
            moves.append(0)
            continue
        target = min(inst.flies, key=lambda f: (abs(f - p), f))
        moves.append((target > p) - (target < p))
    return tuple(moves)


@lru_cache(maxsize=100_000)
def base_time(inst: Instance) -> int:
    """Stages the base policy needs from ``inst`` (deterministic: a simulation is exact)."""
    return _simulate(inst, _base_moves)


def _simulate(inst: Instance, policy) -> int:
    """Stages until every fly is caught under ``policy`` (``HORIZON`` if never)."""
    t = 0
    while inst.flies and t < HORIZON:
        inst = _step(inst, policy(inst))
        t += 1
    return t if not inst.flies else HORIZON


def _q(inst: Instance, moves) -> int:
    nxt = _step(inst, moves)
    return 1 + (base_time(nxt) if nxt.flies else 0)


def agent_by_agent_moves(inst: Instance):
    """Multi-agent rollout: spider l minimises 1 + J_base(next) over its own move, the spiders before it
    at their rollout moves and the ones after it at the base policy's (ties to the base move)."""
    moves = list(_base_moves(inst))
    for agent in range(len(moves)):
        best = min(MOVES, key=lambda d: (_q(inst, moves[:agent] + [d] + moves[agent + 1:]), d != moves[agent]))
        moves[agent] = best
    return tuple(moves)


def rollout_time(inst: Instance) -> int:
    return _simulate(inst, agent_by_agent_moves)


def lookahead_only_time(inst: Instance) -> int:
    """A mutant: minimise the immediate stage cost only (1 per stage, 0 when the last fly is caught), no
    base-policy continuation; ties to staying put."""
    def policy(state):
        return min(product(MOVES, repeat=len(state.spiders)),
                   key=lambda mv: (bool(_step(state, mv).flies), any(mv)))
    return _simulate(inst, policy)
