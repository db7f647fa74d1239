"""The binomial schedule of a checkpointed loop (runtime/checkpoints.py): every step's
record, last step first, from the right state; at most `snapshots` states held; each
step advanced no more often than the binomial bound says."""

from functools import lru_cache
from math import comb

import pytest

from srcgrad.runtime.checkpoints import Checkpoints, default_snapshots, repeats


class State:
    """A loop's state that counts how many of its kind are alive."""

    alive = 0
    most = 0

    def __init__(self, t):
        self.t = t
        State.alive += 1
        State.most = max(State.most, State.alive)

    def __del__(self):
        State.alive -= 1


def run(n, snapshots, start=0):
    steps = range(start, start + n)
    kept = Checkpoints(steps, snapshots)
    state = State(start)
    for t in steps:
        kept.keep(state)
        state = State(t + 1)
    del state
    State.alive, State.most = len(kept.kept), len(kept.kept)
    advanced = []

    def step(t, s):
        assert s.t == t  # the state at the start of step t
        advanced.append(t)
        return (State(t + 1),)

    records = [(t, s.t) for t, s in kept.replay(step, lambda t, s: (t, s))]
    return kept, records, advanced


@pytest.mark.parametrize("n, snapshots", [(0, None), (1, None), (2, 1), (5, 1), (5, 2),
                                          (10, 3), (100, 5), (1000, 10), (37, 200),
                                          (3000, None)])
def test_records_last_step_first_from_the_right_states(n, snapshots):
    kept, records, advanced = run(n, snapshots, start=4)
    assert records == [(t, t) for t in range(4 + n - 1, 3, -1)]
    # the kept states, and the replay's locals: the state being advanced, the one it
    # advances to, the last task's
    assert State.most <= kept.snapshots + 3
    if snapshots is not None and n > 1:
        assert len(advanced) <= repeats(n, snapshots) * n  # at most r advances each


def test_states_kept_by_the_forward_sweep_are_at_most_snapshots():
    kept = Checkpoints(range(10_000), 20)
    for t in range(10_000):
        kept.keep(t)
    assert len(kept.kept) <= 20 and 0 in kept.kept


def test_default_schedule_advances_each_step_about_once_after_the_forward_sweep():
    n = 10_000
    s = default_snapshots(n)
    assert comb(s + 2, s) >= n > comb(s + 1, s - 1)
    _, _, advanced = run(n, None)
    assert len(advanced) <= n


def test_enough_snapshots_keep_every_step():
    _, _, advanced = run(30, 30)
    assert advanced == []


@lru_cache(maxsize=None)
def fewest_advances(n, free):
    """The fewest advances that reverse n steps from a kept first state with `free` more
    states to keep: the exhaustive search over every first split."""
    if n <= 1:
        return 0
    if free == 0:
        return n * (n - 1) // 2
    return min(split + fewest_advances(n - split, free - 1) + fewest_advances(split, free)
               for split in range(1, n))


@pytest.mark.parametrize("snapshots", [1, 2, 3, 4, 6])
def test_the_schedule_makes_the_fewest_advances(snapshots):
    for n in range(1, 60):
        kept, _, advanced = run(n, snapshots)
        first_sweep = max(kept.at) if n else 0  # advanced by the forward sweep
        assert len(advanced) + first_sweep == fewest_advances(n, snapshots - 1), n
        r = repeats(n, snapshots)
        assert len(advanced) + first_sweep == r * n - (comb(snapshots + r, r - 1) if r else 0)
