"""Speed of `verify reproduce reward-offset` on the chain: 20 seeds x 11 offsets x 2 methods (target < 60 s).

    python benchmarks/bench_reward_offset.py
"""

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from verify.experiments.reward_offset import Config, run  # noqa: E402


def main():
    t0 = time.perf_counter()
    res = run(Config(domain="chain"))
    chain = time.perf_counter() - t0
    print(f"chain, paper protocol (20 seeds x 11 offsets x 2 methods, 300 steps): {chain:.2f} s (target < 60 s)")
    t0 = time.perf_counter()
    run(Config(domain="four-rooms", seeds=5))
    print(f"four rooms, 5 seeds x 11 offsets x 2 methods: {time.perf_counter() - t0:.2f} s")
    assert res.final["implicit"].shape == (20, 11)
    return 0 if chain < 60 else 1


if __name__ == "__main__":
    sys.exit(main())
