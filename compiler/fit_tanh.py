#!/usr/bin/env python3
"""The odd degree-9 polynomial of the sigmoid and tanh programs (kTanhPoly in activation.cpp).

tanh(x) ~ x * (c0 + c1 x^2 + c2 x^4 + c3 x^6 + c4 x^8), a least-maximum-error fit (Lawson's
iteratively reweighted least squares) of tanh on [0, 2.566], where 128 tanh(x) reaches 126.5
(the last int8 output step below saturation at 1/128), extended to 2.666 by a ramp of slope 0.2
so that the polynomial keeps rising past the fit instead of bending back. The program does not
clamp its input, so the script also checks that the polynomial rises and stays above 126.5/128
far beyond. Plain Python, no packages: python3 compiler/fit_tanh.py
"""
import math

X_SAT = 2.566        # 128 tanh(X_SAT) = 126.5
X_END = X_SAT + 0.1  # the ramp's end
SLOPE = 0.2
POWERS = [1, 3, 5, 7, 9]


def target(x):
    return math.tanh(x) if x <= X_SAT else math.tanh(X_SAT) + SLOPE * (x - X_SAT)


def solve(a, b):
    """Gaussian elimination with partial pivoting."""
    n = len(a)
    m = [row[:] + [b[i]] for i, row in enumerate(a)]
    for c in range(n):
        p = max(range(c, n), key=lambda r: abs(m[r][c]))
        m[c], m[p] = m[p], m[c]
        for r in range(n):
            if r != c:
                f = m[r][c] / m[c][c]
                for k in range(c, n + 1):
                    m[r][k] -= f * m[c][k]
    return [m[i][n] / m[i][i] for i in range(n)]


def poly(c, x):
    return sum(ci * x ** p for ci, p in zip(c, POWERS))


def fit(points=300, iterations=40):
    xs = [X_END * i / points for i in range(1, points + 1)]
    w = [1.0] * len(xs)
    for _ in range(iterations):
        a = [[0.0] * len(POWERS) for _ in POWERS]
        b = [0.0] * len(POWERS)
        for x, wi in zip(xs, w):
            ph = [x ** p for p in POWERS]
            for i in range(len(POWERS)):
                b[i] += wi * ph[i] * target(x)
                for j in range(len(POWERS)):
                    a[i][j] += wi * ph[i] * ph[j]
        c = solve(a, b)
        e = [abs(poly(c, x) - target(x)) for x in xs]
        s = sum(wi * ei for wi, ei in zip(w, e))
        w = [wi * ei / s * len(xs) + 1e-12 for wi, ei in zip(w, e)]  # Lawson: weight by error
    return c


c = fit()
err = max(abs(poly(c, x) - math.tanh(x)) for x in [X_SAT * i / 1000 for i in range(1001)])
far = [X_SAT + i * 0.01 for i in range(2000)]
assert c[-1] > 0 and all(poly(c, far[i + 1]) >= poly(c, far[i]) >= 126.5 / 128 for i in range(len(far) - 1))
print("max |poly - tanh| on [0, %g]: %.5f (%.3f LSB at 1/128)" % (X_SAT, err, err * 128))
print("constexpr double kTanhPoly[5] = {%s};" % ", ".join(repr(ci) for ci in c))
