"""Attack 4: Python constructs of published programs that srcgrad refused, now read:
`for a, b in zip(*pairs)` (autograd's gmm.py), generator helpers (autograd's
bayesian_neural_net.py `unpack_layers`), a staticmethod called through `self`. Judged by
alias_oracles.judge (NumPy's value, finite differences, three calls, vjp, jvp) and
autograd."""

import numpy as np
import pytest
from alias_oracles import judge
from programs import load, numpy_and_autograd

import srcgrad

NUMPY = "import numpy as np\n"

PROGRAMS = '''
def logsumexp(x, axis):
    m = np.max(x, axis=axis, keepdims=True)
    return np.log(np.sum(np.exp(x - m), axis=axis)) + np.squeeze(m, axis=axis)


def unpack_gmm_params(params):
    return params["log proportions"] - logsumexp(params["log proportions"], 0), \\
        params["means"], params["lower triangles"]


def gmm_log_likelihood(params, data):
    cluster_lls = []
    for log_proportion, mean, cov_sqrt in zip(*unpack_gmm_params(params)):
        cov = np.dot(cov_sqrt, cov_sqrt.T) + 0.1 * np.eye(len(mean))
        d = data - mean
        sol = np.linalg.solve(cov, d.T).T
        cluster_lls.append(log_proportion - 0.5 * np.sum(d * sol, axis=1)
                           - 0.5 * np.linalg.slogdet(cov)[1])
    return np.sum(logsumexp(np.vstack(cluster_lls), 0))


def make_nn_funs(layer_sizes):
    shapes = list(zip(layer_sizes[:-1], layer_sizes[1:]))
    num_weights = sum((m + 1) * n for m, n in shapes)

    def unpack_layers(weights):
        num_weight_sets = len(weights)
        for m, n in shapes:
            yield weights[:, :m * n].reshape((num_weight_sets, m, n)), \\
                weights[:, m * n:m * n + n].reshape((num_weight_sets, 1, n))
            weights = weights[:, (m + 1) * n:]

    def predictions(weights, inputs):
        inputs = np.expand_dims(inputs, 0)
        for W, b in unpack_layers(weights):
            outputs = np.einsum("mnd,mdo->mno", inputs, W) + b
            inputs = np.tanh(outputs)
        return outputs
    return num_weights, predictions


NUM_WEIGHTS, PREDICTIONS = make_nn_funs([1, 4, 1])


def bnn_objective(weights, inputs, targets):
    preds = PREDICTIONS(weights, inputs)
    return np.mean(np.sum((preds - targets) ** 2, axis=1))


def rows_of(x):
    yield x[0]
    yield from [x[1] * 2.0, np.sin(x[2])]
    if x.shape[0] < 4:
        return
    yield x[3]


def nested_and_breaking(x):
    def squares(a):
        for r in a:
            yield r * r
    total = 0.0
    for r in rows_of(x):
        total = total + np.sum(r * np.arange(1.0, 3.0))
        if total > 100.0:
            break
    return total + sum(np.sum(s) for s in squares(x))


class Model:
    @staticmethod
    def act(v):
        return np.tanh(v) * 2.0

    def loss(self, w, x):
        return np.sum(self.act(x @ w) ** 2)
'''

REFUSED = '''
def forever(x):
    while True:
        yield x


def reads_a_yield(x):
    y = yield x
    yield y


def uses_forever(x):
    total = 0.0
    for v in forever(x):
        total = total + np.sum(v)
        break
    return total


def uses_a_yield(x):
    return sum(np.sum(v) for v in reads_a_yield(x))


def top(x):
    yield np.sum(x)
'''


@pytest.fixture(scope="module")
def mods(tmp_path_factory):
    return numpy_and_autograd(PROGRAMS, tmp_path_factory.mktemp("attack4_constructs"), "constructs")


def test_zip_of_a_starred_helper_result(mods):
    ours, theirs = mods
    rng = np.random.default_rng(0)
    params = {"log proportions": rng.normal(size=3), "means": rng.normal(size=(3, 2)),
              "lower triangles": np.tril(rng.normal(size=(3, 2, 2))) + 2 * np.eye(2)}
    outcome = judge(ours.gmm_log_likelihood, [params, rng.normal(size=(7, 2))], wrt=(0,),
                    autograd_f=theirs.gmm_log_likelihood)
    assert outcome.kind == "ok", str(outcome)


def test_generator_helpers_are_read_as_the_list_they_yield(mods):
    ours, theirs = mods
    rng = np.random.default_rng(1)
    args = [rng.normal(size=(3, ours.NUM_WEIGHTS)) * 0.5, rng.normal(size=(5, 1)),
            rng.normal(size=(5, 1))]
    outcome = judge(ours.bnn_objective, args, wrt=(0,), autograd_f=theirs.bnn_objective)
    assert outcome.kind == "ok", str(outcome)
    for x in (rng.normal(size=(3, 2)), rng.normal(size=(4, 2))):
        outcome = judge(ours.nested_and_breaking, [x], autograd_f=theirs.nested_and_breaking)
        assert outcome.kind == "ok", str(outcome)


def test_generators_srcgrad_cannot_read_as_a_list_are_refused_at_their_line(tmp_path):
    module = load(NUMPY + REFUSED, tmp_path, "refused")
    x = np.ones(2)
    with pytest.raises(srcgrad.SrcGradError, match=r"(?s)could run forever.*line \d+, in "):
        srcgrad.grad(module.uses_forever)(x)
    with pytest.raises(srcgrad.SrcGradError, match=r"(?s)value of a `yield`.*line \d+, in "):
        srcgrad.grad(module.uses_a_yield)(x)
    with pytest.raises(srcgrad.SrcGradError, match="top is a generator"):
        srcgrad.grad(module.top)(x)


def test_staticmethod_called_through_self(mods):
    ours, _ = mods
    rng = np.random.default_rng(2)
    model = ours.Model()
    w, x = rng.normal(size=3), rng.normal(size=(4, 3))
    outcome = judge(model.loss, [w, x], wrt=(0,), forward=False)
    assert outcome.kind == "ok", str(outcome)

    class Other(ours.Model):  # overrides the staticmethod: refused, never the parent's
        @staticmethod
        def act(v):
            return v
    with pytest.raises(srcgrad.SrcGradError, match="overrides `act`"):
        srcgrad.grad(ours.Model.loss, wrt=1)(Other(), w, x)


COPIES = '''
def copied(x):
    y = np.array(x)  # a copy: writing into it leaves x as it was
    y[0] = x[1] ** 2
    return np.sum(y * x)


def copied_with_dtype(x):
    y = np.array(x, dtype=float)
    y[1] += x[0]
    return np.sum(y * x)


def not_copied(x):
    y = np.array(x, copy=False)
    y[0] = 0.0
    return np.sum(y * x)
'''


def test_np_array_copies_so_writing_into_it_is_followed(tmp_path):
    module = load(NUMPY + COPIES, tmp_path, "copies")
    x = np.array([0.5, -0.3, 0.8])
    for f in (module.copied, module.copied_with_dtype):
        outcome = judge(f, [x])
        assert outcome.kind == "ok", str(outcome)
    assert judge(module.not_copied, [x]).kind == "refused:caller"


NESTED = '''
def tuple_of_lists(params, x):  # a JAX-style pytree unpacked in one statement
    (Ws, bs), scale = params
    h = x
    for W, b in zip(Ws, bs):
        h = np.tanh(h @ W + b)
    return scale * np.sum(h ** 2)


def swapped(x):
    a, (b, [c, d]) = x[0], (x[1], [x[2], x[0] * x[1]])
    (a, b), c = (b, a), c * d
    return a * 2.0 + b * 3.0 + c
'''


def test_nested_tuple_targets_are_unpacked(tmp_path):
    ours, theirs = numpy_and_autograd(NESTED, tmp_path, "nested")
    rng = np.random.default_rng(3)
    params = (([rng.normal(size=(3, 3)), rng.normal(size=(3, 2))],
               [rng.normal(size=3), rng.normal(size=2)]), 0.7)
    outcome = judge(ours.tuple_of_lists, [params, rng.normal(size=(4, 3))], wrt=(0,),
                    autograd_f=theirs.tuple_of_lists)
    assert outcome.kind == "ok", str(outcome)
    outcome = judge(ours.swapped, [np.array([0.5, -0.3, 0.8])], autograd_f=theirs.swapped)
    assert outcome.kind == "ok", str(outcome)


BRANCH_DEFS = '''
def def_in_branch(x):  # was a silent wrong value: the last `def` was called on every path
    if x[0] > 0:
        def f(v):
            return v ** 2
    else:
        def f(v):
            return v ** 3
    return np.sum(f(x))


def lambda_in_one_branch(x):
    f = lambda v: v * 2.0  # noqa: E731
    if x[0] > 0:
        f = lambda v: v * 3.0  # noqa: E731
    return np.sum(f(x))


def used_in_its_branch(x):
    def f(v):
        return v * 2.0
    if x[0] > 0:
        y = f(x)
    else:
        def f(v):
            return v * 5.0
        y = f(x) + f(x[::-1])
    return np.sum(y * x)
'''


def test_a_function_named_differently_by_the_branches_of_an_if(tmp_path):
    module = load(NUMPY + BRANCH_DEFS, tmp_path, "branch_defs")
    for x in (np.array([0.5, -0.3, 0.8]), np.array([-0.5, -0.3, 0.8])):
        for f in (module.def_in_branch, module.lambda_in_one_branch):
            with pytest.raises(srcgrad.SrcGradError, match=r"(?s)branch of an `if`.*line \d+"):
                srcgrad.grad(f)(x)
        outcome = judge(module.used_in_its_branch, [x])
        assert outcome.kind == "ok", str(outcome)
