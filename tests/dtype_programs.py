"""Programs of tests/attack/test_dtype_programs.py: floats written into integer or bool arrays (the
stored value is truncated: no derivative), and complex intermediates made from real inputs."""

import numpy as np


def int_zeros(x):
    h = np.zeros(4, dtype=int)
    h[0] = x[0] * 10
    return np.sum(h * x)


def int_arange(x):
    h = np.arange(4)
    h[1:3] = x[1:3] * 7
    return np.sum(h * x)


def int_array_literal(x):
    h = np.array([1, 2, 3, 4], dtype=int)
    h[2] = x[2] * 9 + x[0]
    return np.sum(h * x ** 2)


def int_full(x):
    h = np.full(4, 3, dtype=int)
    h[::2] = x[::2] * 6
    return np.sum(h * np.sin(x))


def int_asarray(x):
    h = np.asarray([2, 1, 0, 5], dtype=int)
    h[-1] = x[1] * 4
    return np.sum(h * x)


def int32_target(x):
    h = np.zeros(4, dtype=np.int32)
    h[:] = x * 10
    return np.sum(h * x)


def bool_target(x):
    h = np.zeros(4, dtype=bool)
    h[1] = x[1] * 3
    return np.sum(h * x)


def int_aug_add(x):
    h = np.arange(4)
    h[0] += x[0] * 10
    return np.sum(h * x)


def int_aug_mul(x):
    h = np.arange(1, 5)
    h[1] *= x[1] * 10
    return np.sum(h * x)


def int_loop_writes(x):
    h = np.zeros(4, dtype=int)
    for i in range(4):
        h[i] = x[i] * 10
    return np.sum(h * x)


def int_list_items(x):
    hs = [1, 2]
    hs[0] += x[0] * 3
    hs[1] *= x[1]
    return hs[0] * x[2] + hs[1]


def float_target(x):
    h = np.zeros(4)
    h[0] = x[0] * 10
    return np.sum(h * x)


def int_argument_target(x, k):
    k[1] = x[1] * 10
    return np.sum(k * x)


def complex_abs(x):
    z = x[:2] + 1j * x[2:]
    return np.sum(np.abs(z) ** 2)


def complex_absolute(x):
    z = x[:2] + 1j * x[2:]
    return np.sum(np.absolute(z) ** 3)


def complex_builtin_abs(x):
    z = x[:2] + 1j * x[2:]
    return np.sum(abs(z * x[:2]))


def complex_norm(x):
    z = x[:2] + 1j * x[2:]
    return np.linalg.norm(z)


def complex_norm_ord(x):
    z = x[:2] + 1j * x[2:]
    return np.linalg.norm(z, 3) + np.linalg.norm(z, np.inf)


def complex_abs_exp(x):
    z = x[:2] + 1j * x[2:]
    return np.sum(np.abs(np.exp(z)))


def complex_abs_cube(x):
    z = x[:2] + 1j * x[2:]
    return np.sum(np.abs(z ** 3))


def complex_constructor(x):
    z = complex(0, 1) * x + x[::-1]
    return np.sum(np.abs(z))


def complex_div(x):
    z = (x[:2] + 1j * x[2:]) / (1.5 + 1j * x[:2])
    return np.sum(np.real(z) + np.imag(z) * 2)


def complex_mean_conj(x):
    z = np.exp(x[:2] + 1j * x[2:])
    return np.real(np.mean(z * np.conj(z) + z))


def complex_angle(x):
    z = x[:2] + 1j * x[2:]
    return np.sum(np.angle(z) * x[:2])


def complex_dot(x):
    z = x[:2] + 1j * x[2:]
    w = np.array([1.0 - 2j, 0.5 + 1j])
    return np.real(np.dot(z, w)) + np.imag(z @ w) + np.abs(np.sum(z * z))


def complex_matmul_abs(x):
    z = x[:2] + 1j * x[2:]
    m = np.outer(z, np.conj(z))
    return np.sum(np.abs(m @ z))


def complex_sqrt_abs(x):
    z = x[:2] + 1j * x[2:]
    return np.sum(np.abs(np.sqrt(z) * z))


def complex_attributes(x):
    z = (x[:2] + 1j * x[2:]) * (0.5 - 2j)
    return np.sum(z.real * z.imag) + np.sum(np.real(z.conj() * z))


def complex_log_square(x):
    z = x[:2] + 1j * x[2:]
    return np.sum(np.abs(np.log(np.square(z))))


def complex_mean_of_abs(x):
    z = np.exp(1j * x) * x
    return np.mean(np.abs(z - 0.2)) + np.abs(np.sum(z))


def complex_sin_real(x):
    z = x[:2] + 1j * x[2:]
    return np.sum(np.real(np.sin(z) * np.cos(z)) + np.imag(np.tanh(z)))
