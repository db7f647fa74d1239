"""The binomial schedule of a checkpointed loop (runtime/checkpoints.py): every step's
record, last step first, from the right state; at most `snapshots` states held; each
step advanced no more often than the binomial bound says."""

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
    if snapshots is not None and snapshots > 1 and n > 1:
        r = repeats(n, snapshots - 1)
        assert len(advanced) <= r * n  # each step advanced at most r times after the sweep


def test_states_kept_by_the_forward_sweep_are_at_most_snapshots():
    kept = Checkpoints(range(10_000), 20)
    for t in range(10_000):
        kept.keep(t)
    assert len(kept.kept) <= 20 and 0 in kept.kept


def test_default_schedule_advances_each_step_about_twice_at_most():
    n = 10_000
    s = default_snapshots(n)
    assert comb(s + 2, s) >= n > comb(s + 1, s - 1)
    _, _, advanced = run(n, None)
    assert len(advanced) <= 2 * n


def test_enough_snapshots_keep_every_step():
    _, _, advanced = run(30, 30)
    assert advanced == []
