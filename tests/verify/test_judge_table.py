"""The equivalence table: answers written for this table (right in unusual forms, wrong by tiny exact
amounts, domain traps, float look-alikes), each with the verdict it deserves and why.

A row that gets ``correct`` where ``incorrect`` is expected is a false accept; the reverse a false
reject. ``python tests/verify/test_judge_table.py`` prints the counts."""

import pytest

from verify.answers.bank import Question
from verify.answers.judge import judge

R = {"x": "real"}
P = {"x": "positive"}
N = {"n": "positive integer"}

# (symbols, reference, answer, verdict, reason[, extra question fields])
TABLE = [
    # --- right, in unusual forms -------------------------------------------------------------------
    (R, "x**2 - 1", "(x - 1)*(x + 1)", "correct", "factored form"),
    (R, "2/3*x", "x/1.5", "correct", "a decimal is the exact rational 3/2"),
    (R, "x/3", "0.5*x/1.5", "correct", "decimals combine exactly"),
    (R, "sin(x)**2", "1 - cos(x)**2", "correct", "Pythagoras"),
    (R, "sin(2*x)", "2*sin(x)*cos(x)", "correct", "double angle"),
    (R, "cosh(x)**2 - sinh(x)**2", "1", "correct", "hyperbolic identity"),
    (R, "exp(2*x)", "exp(x)**2", "correct", "power of an exponential"),
    (P, "log(x**3)", "3*log(x)", "correct", "log of a power on positive x"),
    (P, "log(x, 2)", "log(x)/log(2)", "correct", "logarithm to base 2"),
    (P, "sqrt(x)*sqrt(x)", "x", "correct", "sqrt squared on positive x"),
    (R, "abs(x)", "sqrt(x**2)", "correct", "sqrt of a square is |x|"),
    (R, "1", "x/x", "correct", "undefined only at the single point x = 0"),
    (R, "x + 1", "(x**2 - 1)/(x - 1)", "correct", "removable singularity at x = 1"),
    (R, "sigmoid(x)", "1/(1 + exp(-x))", "correct", "the logistic function"),
    (R, "tanh(x)", "2*sigmoid(2*x) - 1", "correct", "tanh through the sigmoid"),
    (R, "atan(x) + atan(1/x)", "pi/2*sign(x)", "correct", "arctangent reflection, x != 0"),
    (R, "x", "(x - 1)**6000 - (x - 1)**6000 + x", "correct", "a large power that cancels (judged, not capped)"),
    (N, "factorial(n + 1)/factorial(n)", "n + 1", "correct", "factorial ratio on bounded n"),
    ({"n": "integer in [0, 30]"}, "2**n", "binomial(n, 0) * 2**n", "correct", "binomial(n, 0) = 1"),
    ({"n": "integer in [2, 30]"}, "binomial(n, 2)", "n*(n - 1)/2", "correct", "binomial(n, 2)"),
    (R, "floor(x) + 1", "ceil(x + 1/2 - 1/2) + (floor(x) - ceil(x)) + 1", "correct", "floor/ceil bookkeeping"),
    (R, "max(x, 0)", "(x + abs(x))/2", "correct", "the positive part"),
    ({"t": "real"}, "3**(t/7.3)", "exp(10*t*log(3)/73)", "correct", "the same exponential, exact exponent"),
    ({"x": "real in [0, 1]"}, "x*(1 - x)", "x - x**2", "correct", "interval domain"),
    ({"x": "negative"}, "abs(x)", "-x", "correct", "negative domain"),
    # --- wrong by tiny exact amounts, float look-alikes ------------------------------------------------
    (R, "2/3", "0.6666666667", "incorrect", "a float look-alike of 2/3 (off by 1/3e10)"),
    (R, "123456788/123456789", "0.99999999189999992628", "incorrect", "a 20-digit look-alike"),
    ({"t": "real"}, "3**(t/7.3)", "3**(0.136986301370*t)", "incorrect", "a 12-digit exponent"),
    (R, "x", "x + 10**-30", "incorrect", "an added 1e-30: below float64 resolution"),
    (P, "exp(x)", "exp(x) + 10**-45", "incorrect", "an added 1e-45 next to a transcendental value"),
    (R, "pi*x", "3.14159265358979*x", "incorrect", "pi to 15 digits"),
    (R, "exp(1)*x", "2.718281828459045*x", "incorrect", "e to 16 digits"),
    (R, "sqrt(2)", "1.4142135623730951", "incorrect", "the float of sqrt 2"),
    (R, "x/7.3", "0.136986301369863*x", "incorrect", "a 15-digit reciprocal"),
    (R, "x", "x*(1 + 1/10**12)", "incorrect", "relative error 1e-12"),
    (R, "1/3", "0.333333333333333333333333333333", "incorrect", "thirty 3s is not 1/3"),
    ({"n": "integer in [1, 1000]"}, "n", "n + 1/10**20", "incorrect", "an integer answer off by 1e-20"),
    # --- sampling traps ---------------------------------------------------------------------------------
    (R, "x", "x + sin(4*pi*x)", "incorrect", "vanishes on every quarter (the old grid)"),
    (R, "x", "x + sin(pi*x)**2/10**6", "incorrect", "vanishes on every integer, small elsewhere"),
    (R, "x", "x + max(0, x - 20)", "incorrect", "zero inside the old sampled box"),
    (R, "x", "x + max(0, -x - 1000)", "incorrect", "zero except far to the left"),
    (N, "n", "min(n, 20)", "incorrect", "saturates beyond the old integer range"),
    (N, "n", "min(n, 500)", "incorrect", "saturates beyond 500"),
    ({"k": "real in [0, 1]"}, "floor(3*k)", "floor(3*k - 1/10**9)", "incorrect", "differs only on [1/3, 1/3 + 1e-9)"),
    (R, "x", "x + floor(x**2/10**8)", "incorrect", "differs only for |x| >= 1e4"),
    (R, "x", "x*(1 + floor(abs(x)*10**6)*0)", "correct", "a zero factor (equal everywhere)"),
    (R, "x", "x + x*10**-40*(x - 1/3)**2", "incorrect", "tiny and vanishing at 1/3"),
    # --- domain traps -----------------------------------------------------------------------------------
    (R, "sqrt(x - 1)*sqrt(x - 4)", "sqrt((x - 1)*(x - 4))", "incorrect", "defined on x < 1 where the reference is not"),
    (R, "sqrt((x - 1)*(x - 4))", "sqrt(x - 1)*sqrt(x - 4)", "incorrect", "undefined on x < 1 where the reference is defined"),
    (R, "x", "sqrt(x)**2", "incorrect", "undefined for negative x"),
    (R, "log(x**2)", "2*log(x)", "incorrect", "undefined for negative x"),
    (R, "abs(x)", "x", "incorrect", "differs for negative x"),
    ({"n": "integer"}, "n", "abs(n)", "incorrect", "an integer that may be negative"),
    ({"m": "integer", "k": "integer >= m"}, "k", "abs(k)", "incorrect", "lower bound is a symbol: not positive"),
    (R, "log(x)", "log(abs(x))", "incorrect", "defined on x < 0 where the reference is not"),
    (R, "asin(x)", "atan(x/sqrt(1 - x**2))", "correct", "same function on (-1, 1), both undefined outside"),
    (R, "1/(2 - 2)", "x", "invalid", "the reference is undefined everywhere: a broken question"),
    (R, "log(-2 - x**2)", "x", "invalid", "the reference is undefined everywhere: a broken question"),
    # --- opt-in tolerance ------------------------------------------------------------------------------
    (R, "2/3*x", "0.6667*x", "correct", "within the question's relative tolerance 1e-3",
     {"tolerance": {"relative": 1e-3}}),
    (R, "2/3*x", "0.66*x", "incorrect", "beyond the question's relative tolerance 1e-3",
     {"tolerance": {"relative": 1e-3}}),
    (R, "pi", "3.14", "correct", "within an absolute tolerance 0.01", {"tolerance": {"absolute": 0.01}}),
    # --- arrays -----------------------------------------------------------------------------------------
    ({"x": "vector n", "y": "vector n"}, "x.T @ y", "y.T @ x", "correct", "the inner product is symmetric"),
    ({"x": "vector n", "y": "vector n"}, "x.T @ y", "sum(x * y)", "correct", "elementwise then summed"),
    ({"x": "vector n"}, "x @ x.T", "x * x.T", "invalid", "x * x.T: shapes (n,1) and (1,n) are not equal: ill-typed"),
    ({"A": "matrix m x n", "B": "matrix m x n"}, "A * B", "B * A", "correct", "the Hadamard product commutes"),
    ({"A": "matrix n x n", "B": "matrix n x n"}, "A @ B", "B @ A", "incorrect", "the matrix product does not"),
    ({"A": "invertible matrix n x n"}, "det(inv(A))", "1/det(A)", "correct", "determinant of the inverse"),
    ({"A": "positive definite matrix n x n"}, "logdet(A)", "log(det(A))", "correct", "logdet of an SPD matrix"),
    ({"n": "integer in [1, 4]", "Q": "orthogonal matrix n x n"}, "eye(n)", "Q.T @ Q", "correct", "orthogonality"),
    ({"A": "matrix m x n"}, "trace(A.T @ A)", "norm(A)**2", "correct", "Frobenius norm"),
    ({"x": "vector n"}, "norm(x, 1)", "sum(abs(x))", "correct", "the 1-norm"),
    ({"x": "vector n"}, "norm(x, inf)", "max(abs(x))", "correct", "the max-norm"),
    ({"z": "vector n"}, "softmax(z)", "exp(z)/sum(exp(z))", "correct", "softmax"),
    ({"z": "vector n"}, "logsumexp(z)", "log(sum(exp(z)))", "correct", "logsumexp"),
    ({"A": "matrix n x n", "B": "matrix k x k"}, "trace(kron(A, B))", "trace(A)*trace(B)", "correct",
     "trace of a Kronecker product"),
    ({"A": "matrix n x n"}, "matrix_power(A, 3)", "A @ A @ A", "correct", "matrix power"),
    ({"A": "matrix n x n"}, "matrix_power(A, 3)", "A ** 3", "incorrect", "** is elementwise"),
    ({"m": "integer in [1, 4]", "n": "integer in [1, 4]", "P": "row-stochastic matrix m x n"}, "P @ ones(n)", "ones(m)", "correct", "rows sum to one"),
    ({"n": "integer in [1, 3]", "A": "full column rank matrix m x n"}, "pinv(A) @ A", "eye(n)", "correct", "left inverse"),
]

DERIVATIVES = [
    # (symbols, function, wrt, order, answer, verdict, reason)
    ({"X": "invertible matrix n x n"}, "log(abs(det(X)))", "X", 1, "inv(X).T", "correct", "d log|det X| / dX"),
    ({"X": "invertible matrix n x n"}, "log(abs(det(X)))", "X", 1, "inv(X)", "incorrect", "missing transpose"),
    ({"z": "vector n"}, "softmax(z)", "z", 1, "diag(softmax(z)) - softmax(z) @ softmax(z).T", "correct",
     "softmax Jacobian"),
    ({"A": "matrix n x n", "x": "vector n"}, "x.T @ A @ x", "x", 1, "2*A @ x", "incorrect", "A is not symmetric"),
    ({"A": "symmetric matrix n x n", "x": "vector n"}, "x.T @ A @ x", "x", 1, "2*A @ x", "correct",
     "symmetric A (the derivative at a symmetric point)"),
    ({"A": "matrix n x n", "x": "vector n"}, "x.T @ A @ x", "x", 2, "A + A.T", "correct", "Hessian"),
    ({"x": "real"}, "sin(x)**2", "x", 1, "sin(2*x)", "correct", "scalar chain rule"),
    ({"x": "real"}, "sin(x)**2", "x", 1, "2*sin(x)", "incorrect", "dropped factor"),
]


def _question(symbols, reference, relation="equal", **extra):
    return Question("table", "", dict(symbols), reference, relation, **extra)


def _run(row):
    symbols, ref, ans, verdict, reason = row[:5]
    extra = row[5] if len(row) > 5 else {}
    return judge(_question(symbols, ref, **extra), answer=ans, symbolic_seconds=1.0)


@pytest.mark.parametrize("row", TABLE, ids=[f"{r[2]} vs {r[1]}" for r in TABLE])
def test_equivalence_table(row):
    v = _run(row)
    assert v.verdict == row[3], f"{row[4]}: {v.verdict}: {v.message}"
    if v.verdict == "incorrect":
        assert v.counterexample, "every rejection carries a counterexample"


@pytest.mark.parametrize("row", DERIVATIVES, ids=[f"d {r[1]} / d {r[2]}: {r[4]}" for r in DERIVATIVES])
def test_derivative_table(row):
    symbols, fn, wrt, order, ans, verdict, reason = row
    q = Question("table/d", "", dict(symbols), "", "derivative", function=fn, wrt=wrt, order=order)
    v = judge(q, answer=ans)
    assert v.verdict == verdict, f"{reason}: {v.verdict}: {v.message}"
    if v.verdict == "incorrect":
        assert v.counterexample


def test_the_table_is_large_enough():
    assert len(TABLE) + len(DERIVATIVES) >= 60


if __name__ == "__main__":  # pragma: no cover
    fa = fr = 0
    for row in TABLE:
        got = _run(row).verdict
        fa += got == "correct" and row[3] != "correct"
        fr += got != "correct" and row[3] == "correct"
        if got != row[3]:
            print(f"{row[2]!r} vs {row[1]!r}: got {got}, expected {row[3]} ({row[4]})")
    print(f"{len(TABLE)} rows: {fa} false accepts, {fr} false rejects")
