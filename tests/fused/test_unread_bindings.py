"""unread_bindings: the seed and the constants and copies nothing reads are gone from the
fused gradient, last."""

from pass_bodies import fused_context, unparsed

from srcgrad.fused import unread_bindings


def without_unread(text, **kwargs):
    body, ctx = fused_context(text, **kwargs)
    return unparsed(unread_bindings.run(body, ctx))


def test_the_unread_seed_goes():
    text = "t = x * 2\nseed = 1.0\nd_t = 2.0 * t\nr = d_t * x\nreturn r"
    assert without_unread(text) == "t = x * 2\nd_t = 2.0 * t\nr = d_t * x\nreturn r"


def test_in_blocks_and_in_del_lists_too():
    text = ("a = 1.0\nb = a\nfor i in range(3):\n    c = x\n    r = x * i\n    del c, r\n"
            "if x:\n    e = 2.0\n    r = e + x\nreturn r")
    assert without_unread(text) == ("for i in range(3):\n    r = x * i\n    del r\n"
                                     "if x:\n    e = 2.0\n    r = e + x\nreturn r")


def test_what_is_read_kept_or_computes_stays():
    text = "r = 1.0\nx = 2.0\nseed = 1.0\nt = seed * 2\nu = np.exp(x)\nreturn (r, t)"
    assert without_unread(text) == text


def test_an_unread_tuple_of_names_goes():
    text = "a = x * 2\nT = (a, x, 1.0)\nr = a + 1\nreturn r"
    assert without_unread(text) == "a = x * 2\nr = a + 1\nreturn r"
    text = "a = x * 2\nT = (a, x + 1)\nr = a + 1\nreturn r"  # computes: stays
    assert without_unread(text) == text
