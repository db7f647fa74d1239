"""tapes.slim: a tape keeps what its replay (or rows_of) still reads, on bodies parsed
from source; the gradients through slimmed tapes are checked in test_loop_batching."""

import textwrap

import gast
from pass_bodies import fused_context

from srcgrad import runtime
from srcgrad.fused import tape_slimming

LOOP = """
tape = []
for t in range(n):
    a = xs[t]
    b = np.tanh(W @ h)
    tape.append((a, h, b))
    h = b
"""


def slimmed(source):
    """(the body's text before, after)"""
    body, ctx = fused_context(textwrap.dedent(source),
                              code_names={"rows_of": runtime.rows_of, "len": len})
    before = gast.unparse(gast.Module(body=body, type_ignores=[]))
    after = gast.unparse(gast.Module(body=tape_slimming.run(body, ctx), type_ignores=[]))
    return before, after


def test_an_entry_nothing_reads_is_not_saved_nor_its_row_read():
    before, after = slimmed(LOOP + """
n_steps = len(tape)
for a, h, b in reversed(tape):
    d = d * (1 - b * b)
""")
    assert "tape.append(b)" in after and "for b in reversed(tape):" in after
    assert "a = xs[t]" not in after  # read by the tape only
    assert "tape.append((a, h, b))" in before and "a = xs[t]" in before  # copies changed


def test_rows_of_keeps_its_entry_and_follows_it_to_its_new_place():
    _, after = slimmed(LOOP + """
n_steps = len(tape)
rows = rows_of(buf, tape, 1)
for a, h, b in reversed(tape):
    d = d * (1 - b * b)
""")
    assert "tape.append((h, b))" in after and "for h, b in reversed(tape):" in after
    assert "rows = rows_of(buf, tape, 0)" in after


def test_a_single_entry_rows_of_reads_stays_a_tuple():
    _, after = slimmed(LOOP + """
rows = rows_of(buf, tape, 1)
for a, h, b in reversed(tape):
    d = 2 * d
""")
    assert "tape.append((h,))" in after and "for h, in reversed(tape):" in after


def test_an_entry_read_after_the_replay_is_kept():
    _, after = slimmed(LOOP + """
for a, h, b in reversed(tape):
    d = d * (1 - b * b)
e = a + 1
""")
    assert "tape.append((a, b))" in after and "a = xs[t]" in after


def test_a_row_read_the_loop_uses_stays():
    _, after = slimmed("""
tape = []
for t in range(n):
    a = xs[t]
    b = np.tanh(a + h)
    tape.append((a, h, b))
    h = b
for a, h, b in reversed(tape):
    d = d * (1 - b * b)
""")
    assert "tape.append(b)" in after and "a = xs[t]" in after


def test_a_tape_used_in_another_way_is_left_alone():
    for extra in ["print(tape)", "last = tape[-1]", "tape = []"]:
        before, after = slimmed(LOOP + f"""
{extra}
for a, h, b in reversed(tape):
    d = d * (1 - b * b)
""")
        assert after == before, extra


def test_a_tape_every_entry_of_which_is_read_is_left_alone():
    before, after = slimmed(LOOP + """
for a, h, b in reversed(tape):
    d = d * (1 - b * b) + a + h
""")
    assert after == before
