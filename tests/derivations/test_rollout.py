"""derivations.rollout on the seed's two-agent example and on counted search spaces."""

import numpy as np

from derivations import rollout as R

Q = np.array([[1.0, 0.0, 0.0, 2.0]])  # one state, two agents: Q(0,0) = 1, Q(0,1) = Q(1,0) = 0, Q(1,1) = 2
BASE = np.array([[0, 0]])


def test_agent_by_agent_improves_and_autonomous_does_not():
    acts, _ = R.agent_by_agent(Q, BASE, 2, 2)
    assert Q[0, R.joint_index(acts[0], 2)] == 0.0 <= Q[0, 0]
    auto = R.autonomous(Q, BASE, 2, 2)
    assert auto.tolist() == [[1, 1]] and Q[0, R.joint_index(auto[0], 2)] == 2.0 > Q[0, 0]
    assert R.standard_rollout(Q, 2, 2).tolist() in ([[0, 1]], [[1, 0]])


def test_counted_evaluations_match_the_sizes():
    for U, m in ((2, 1), (3, 2), (5, 3)):
        Qz = np.zeros((1, U**m))
        c1, c2 = {}, {}
        R.standard_rollout(Qz, m, U, counter=c1)
        R.agent_by_agent(Qz, np.zeros((1, m), dtype=int), m, U, counter=c2)
        assert (c1[0], c2[0]) == R.search_space_sizes(U, m)
    assert R.search_space_sizes(5, 15) == (30517578125, 75)


def test_joint_index_round_trip():
    acts = np.array([[2, 0, 1], [1, 1, 1]])
    idx = R.joint_index(acts, 3)
    assert [list(np.unravel_index(i, (3, 3, 3))) for i in idx] == acts.tolist()
