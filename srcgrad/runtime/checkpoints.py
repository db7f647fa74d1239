"""Binomial checkpointing of a loop (Griewank's revolve schedule): the forward sweep keeps
the loop's state at a few steps only, and the backward sweep's replay recomputes each
step's tape record from the nearest kept state.

With `s` kept states and `r` the least number such that `binom(s + r, s) >= n`, no step
of an `n`-step loop is advanced more than `r` times, the forward sweep included (and
computed once more for its record), the advances are the fewest possible, `r n -
binom(s + r, r - 1)` in all, and at most `s` states are held at once. The generated code reads::

    tape = Checkpoints(range(n), snapshots)
    for t in range(n):
        tape.keep(h_1)                      # kept only at the schedule's steps
        ...
    for h_1, t4, h_2 in tape.replay(f_step, f_record, W, U, xs):
        ...                                 # the adjoint of one step, last step first

`f_step(t, *state, *reads)` runs one step and returns the next state; `f_record(t,
*state, *reads)` runs it and returns what a tape would hold for it.
"""

from __future__ import annotations

from math import comb

DEFAULT_REPEATS = 2  # the default schedule advances no step more than this many times


def repeats(steps: int, states: int) -> int:
    """The least r with binom(states + r, states) >= steps: with `states` kept states (the
    first included), reversing `steps` steps advances none of them more than r times."""
    r = 0
    while comb(states + r, states) < steps:
        r += 1
    return r


def default_snapshots(steps: int) -> int:
    """The fewest kept states with which no step is advanced more than DEFAULT_REPEATS
    times, the forward sweep's included (about sqrt(2 n) for two)."""
    s = 1
    while repeats(steps, s) > DEFAULT_REPEATS:
        s += 1
    return s


def split(steps: int, free: int) -> int:
    """How many of `steps` (> 1) to advance before keeping the next state, with `free`
    (> 0) states to keep beside the first: the least of the splits that make the fewest
    advances in all (Griewank's binomial schedule; tests/runtime/test_checkpoints.py
    checks it against the exhaustive search)."""
    states = free + 1
    r = repeats(steps, states)
    least = max(steps - comb(states - 1 + r, states - 1),
                comb(states + r - 2, states) if r >= 2 else 1)
    return max(1, min(least, steps - 1))


class Checkpoints:
    """The kept states of one checkpointed loop, and the schedule that replays it."""

    def __init__(self, steps, snapshots=None):
        self.steps = steps
        n = len(steps)
        self.snapshots = max(1, snapshots or default_snapshots(n))
        self.kept = {}  # step index -> state at the start of that step
        self.at = self._first_sweep(n)
        self.count = 0

    def _first_sweep(self, n: int) -> set:
        """The steps whose entry state the forward sweep keeps: 0, then a split point for
        each further state, as the replay's first descent would place them."""
        at, lo, free = {0}, 0, self.snapshots - 1
        while n - lo > 1 and free > 0:
            lo += split(n - lo, free)
            at.add(lo)
            free -= 1
        return at

    def keep(self, *state):
        """The forward sweep, at the start of each step: keep the state if scheduled."""
        if self.count in self.at:
            self.kept[self.count] = state
        self.count += 1

    def __len__(self):
        return self.count

    def replay(self, step, record, *reads):
        """The steps' tape records, last step first: each step is recomputed from the
        nearest kept state, keeping states anew on the way (at most `snapshots`)."""
        starts = sorted(self.kept)
        n = self.count
        # tasks (first step, end, its entry state, states free beside it), last on top
        todo = [(lo, hi, self.kept[lo], self.snapshots - 1 - i)
                for i, (lo, hi) in enumerate(zip(starts, starts[1:] + [n]))]
        self.kept = {}  # the tasks hold the states now
        steps = self.steps
        while todo:
            lo, hi, state, free = todo.pop()
            if hi - lo == 1:
                yield record(steps[lo], *state, *reads)
                continue
            if free <= 0:  # no state to spare: advance from lo for each step
                for last in range(hi - 1, lo - 1, -1):
                    current = state
                    for i in range(lo, last):
                        current = step(steps[i], *current, *reads)
                    yield record(steps[last], *current, *reads)
                continue
            mid = lo + split(hi - lo, free)
            current = state
            for i in range(lo, mid):
                current = step(steps[i], *current, *reads)
            todo.append((lo, mid, state, free))
            todo.append((mid, hi, current, free - 1))
