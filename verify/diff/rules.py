r"""The differentiation rules, as data: one rule per line, each with its statement and its source.

Reverse rules (:data:`REVERSE`) give the adjoint of one argument of a node: for a scalar function
:math:`f`, the adjoint of a node :math:`Y` is :math:`\bar Y = \partial f/\partial Y` (the shape of
``Y``), so that :math:`df = \operatorname{tr}(\bar Y^\top dY)`. A rule maps ``(e, G, i)`` (the node,
its adjoint, the argument's index) to the argument's share of the adjoint.

Forward rules (:data:`FORWARD`) give the Jacobian :math:`J(e) = \partial\operatorname{vec} e/\partial
\operatorname{vec}(x)^\top` (column-major vec, numerator layout) from the arguments' Jacobians ``Js``
(``None`` for an argument that does not depend on the variable), with
:math:`\operatorname{vec}(A\,dX\,B) = (B^\top\otimes A)\operatorname{vec}dX`. Scalar-valued nodes
(``det``, ``trace``, ``norm``, ...) take the reverse route: :math:`J(s) = \operatorname{vec}(\nabla s)^\top`.

Sources: *The Matrix Cookbook* (K. B. Petersen, M. S. Pedersen, version of 15 Nov 2012, "MC"),
J. R. Magnus and H. Neudecker, *Matrix Differential Calculus*, 3rd ed. ("MN").

A rule that raises :class:`NotDerivable` marks an operation whose derivative has no closed form in the
answer language (``verify diff`` says so and exits 3).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Callable

from .expr import (T, add, diag, dvec, eye, fn, had, hpow, inner, inv, is_scalar, kron, mm, mpow, neg, num,
                   ones, smul, softmax, sub, vec)

__all__ = ["Rule", "REVERSE", "FORWARD", "NotDerivable", "rule_for", "FUNCTION_DERIVATIVES"]


class NotDerivable(ValueError):
    """No closed form in matrix notation for this derivative (the message says which operation)."""


@dataclass(frozen=True)
class Rule:
    key: str  #: node op (``fn:exp`` for element-wise functions)
    statement: str  #: the differential identity, in plain text
    source: str
    apply: Callable


def _no(what):
    def f(*_):
        raise NotDerivable(what)
    return f


def _others(e, i):
    return [a for j, a in enumerate(e.args) if j != i]


def _mm_adj(e, G, i):
    left, right = e.args[:i], e.args[i + 1:]
    L = mm(*left) if left else None
    R = mm(*right) if right else None
    out = G
    if L is not None:
        out = mm(T(L), out)
    if R is not None:
        out = mm(out, T(R))
    return out


def _smul_adj(e, G, i):
    """e = c * f1 * ... * A: the adjoint of one factor."""
    rest = num(e.data)
    for a in _others(e, i):
        rest = smul(rest, a)
    a = e.args[i]
    if is_scalar(a) and not is_scalar(e):
        return inner(G, rest)
    return smul(rest, G) if is_scalar(rest) else inner(G, rest)


def _mpow_adj(e, G, i):
    (A,), k = e.args, e.data
    return add(*[mm(mpow(T(A), j), G, mpow(T(A), k - 1 - j)) for j in range(k)])


#: f'(x) of the element-wise functions, as an expression in x and y = f(x).
FUNCTION_DERIVATIVES = {
    "exp": (lambda x, y: y, "d exp(x) = exp(x) dx", "calculus"),
    "log": (lambda x, y: hpow(x, -1), "d log(x) = dx / x", "calculus"),
    "sin": (lambda x, y: fn("cos", x), "d sin(x) = cos(x) dx", "calculus"),
    "cos": (lambda x, y: neg(fn("sin", x)), "d cos(x) = -sin(x) dx", "calculus"),
    "tanh": (lambda x, y: sub(ones(x.shape), had(y, y)), "d tanh(x) = (1 - tanh(x)^2) dx", "calculus"),
    "sigmoid": (lambda x, y: had(y, sub(ones(x.shape), y)), "d s(x) = s(x)(1 - s(x)) dx", "calculus"),
    "abs": (lambda x, y: fn("sign", x), "d |x| = sign(x) dx (x != 0)", "calculus"),
    "sign": (lambda x, y: smul(num(0), x), "d sign(x) = 0 (x != 0)", "calculus"),
    "tan": (lambda x, y: add(ones(x.shape), had(y, y)), "d tan(x) = (1 + tan(x)^2) dx", "calculus"),
    "sinh": (lambda x, y: fn("cosh", x), "d sinh(x) = cosh(x) dx", "calculus"),
    "cosh": (lambda x, y: fn("sinh", x), "d cosh(x) = sinh(x) dx", "calculus"),
    "atan": (lambda x, y: hpow(add(ones(x.shape), had(x, x)), -1), "d atan(x) = dx / (1 + x^2)", "calculus"),
    "asin": (lambda x, y: hpow(sub(ones(x.shape), had(x, x)), Fraction(-1, 2)), "d asin(x) = dx / sqrt(1 - x^2)",
             "calculus"),
    "acos": (lambda x, y: neg(hpow(sub(ones(x.shape), had(x, x)), Fraction(-1, 2))),
             "d acos(x) = -dx / sqrt(1 - x^2)", "calculus"),
}


def _fn_adj(e, G, i):
    d = FUNCTION_DERIVATIVES[e.data][0](e.args[0], e)
    return smul(G, d) if is_scalar(G) else had(G, d)


def _hpow_adj(e, G, i):
    (A,), p = e.args, e.data
    d = smul(num(p), hpow(A, p - 1))
    return smul(G, d) if is_scalar(G) else had(G, d)


_R = Rule
REVERSE = {r.key: r for r in (
    _R("add", "d(A + B) = dA + dB", "linearity", lambda e, G, i: G),
    _R("smul", "d(c A) = dc A + c dA", "MC eq. (37) (product rule), scalar factor", _smul_adj),
    _R("mm", "d(AB) = dA B + A dB, so adj(A) = G B^T, adj(B) = A^T G", "MC eq. (37)", _mm_adj),
    _R("had", "d(A * B) = dA * B + A * dB (element-wise)", "MC eq. (38)", lambda e, G, i: had(G, *_others(e, i))),
    _R("hpow", "d(A**p) = p A**(p-1) * dA (element-wise)", "calculus, element-wise", _hpow_adj),
    _R("T", "d(A^T) = (dA)^T", "MC eq. (35)", lambda e, G, i: T(G)),
    _R("inv", "d inv(X) = -inv(X) dX inv(X)", "MC eq. (36)", lambda e, G, i: neg(mm(T(e), G, T(e)))),
    _R("det", "d det(X) = det(X) tr(inv(X) dX)", "MC eq. (41), (49)", lambda e, G, i: smul(G, smul(e, T(inv(e.args[0]))))),
    _R("logdet", "d log|det(X)| = tr(inv(X) dX)", "MC eq. (57)", lambda e, G, i: smul(G, T(inv(e.args[0])))),
    _R("tr", "d tr(X) = tr(dX)", "MC eq. (100)", lambda e, G, i: smul(G, eye(e.args[0].shape[0]))),
    _R("sum", "d sum(X) = 1^T dX 1", "linearity", lambda e, G, i: smul(G, ones(e.args[0].shape))),
    _R("fn", "d f(X) = f'(X) * dX (element-wise; f' from FUNCTION_DERIVATIVES)", "calculus, element-wise", _fn_adj),
    _R("softmax", "d softmax(z) = (diag(s) - s s^T) dz, s = softmax(z)", "Bishop, PRML (2006) eq. (4.106)",
       lambda e, G, i: sub(had(e, G), smul(mm(T(e), G), e))),
    _R("lse", "d logsumexp(z) = softmax(z)^T dz", "Boyd & Vandenberghe, Convex Optimization §3.1.5",
       lambda e, G, i: smul(G, softmax(e.args[0]))),
    _R("norm", "d ||x||_2 = x^T dx / ||x||_2 (x a vector, x != 0)", "MC eq. (129)",
       lambda e, G, i: smul(G, smul(hpow(e, -1), e.args[0])) if e.args[0].shape[1] == ()
       else _no("norm(X) of a matrix is the spectral norm: its gradient u1 v1^T (top singular vectors) has "
                "no closed form in the answer language")()),
    _R("mpow", "d X^k = sum_{j<k} X^j dX X^(k-1-j)", "MC eq. (91) (derivative of X^n)", _mpow_adj),
    _R("diag", "d diag(v) = diag(dv)", "linearity", lambda e, G, i: dvec(G)),
    _R("dvec", "d diag(X) = diag(dX) (the diagonal as a vector)", "linearity", lambda e, G, i: diag(G)),
    _R("vec", "d vec(X) = vec(dX)", "linearity", _no("the gradient through vec(.)")),
    _R("kron", "d(A kron B) = dA kron B + A kron dB", "MC eq. (520)",
       _no("the gradient of a scalar through kron(A, B) (it needs a partial trace / reshaping, not in the "
           "answer language); its Jacobian d vec(A X B) = (B^T kron A) d vec X is covered")),
    _R("pinv", "d pinv(X): Golub & Pereyra (1973)", "Golub & Pereyra, SIAM J. Numer. Anal. 10 (1973)",
       _no("pinv(X): its derivative depends on the rank and needs projections not in the rule set")),
)}


# --- forward (Jacobian) rules ----------------------------------------------------------------------------

def _fwd_sum(parts):
    parts = [p for p in parts if p is not None]
    return add(*parts) if parts else None


def _fwd_mm(e, Js, wdim):
    out = []
    for i, J in enumerate(Js):
        if J is None:
            continue
        A = e.args[i]
        L = mm(*e.args[:i]) if i else eye(A.shape[0])
        R = mm(*e.args[i + 1:]) if i + 1 < len(e.args) else eye(A.shape[1])
        out.append(mm(kron(T(R), L), J))
    return _fwd_sum(out)


def _fwd_smul(e, Js, wdim):
    out = []
    for i, J in enumerate(Js):
        if J is None:
            continue
        rest = num(e.data)
        for a in _others(e, i):
            rest = smul(rest, a)
        a = e.args[i]
        if is_scalar(a):
            out.append(mm(vec(rest), J))
        else:
            out.append(smul(rest, J))
    return _fwd_sum(out)


def _diag_of(v):
    return diag(vec(v)) if not is_scalar(v) else v


def _fwd_had(e, Js, wdim):
    out = []
    for i, J in enumerate(Js):
        if J is not None:
            out.append(mm(_diag_of(had(*_others(e, i))), J))
    return _fwd_sum(out)


def _fwd_fn(e, Js, wdim):
    d = FUNCTION_DERIVATIVES[e.data][0](e.args[0], e)
    return mm(_diag_of(d), Js[0])


def _fwd_T(e, Js, wdim):
    A = e.args[0]
    if A.shape[1] == () or A.shape[0] == ():
        return Js[0]
    raise NotDerivable("the Jacobian of X.T for a matrix X (the commutation matrix K is not in the answer language)")


def _fwd_mpow(e, Js, wdim):
    (A,), k = e.args, e.data
    return mm(add(*[kron(T(mpow(A, k - 1 - j)), mpow(A, j)) for j in range(k)]), Js[0])


def _fwd_softmax(e, Js, wdim):
    return mm(sub(diag(e), mm(e, T(e))), Js[0])


_F = Rule
FORWARD = {r.key: r for r in (
    _F("add", "J(A + B) = J(A) + J(B)", "linearity", lambda e, Js, w: _fwd_sum(Js)),
    _F("smul", "J(c A) = vec(A) J(c) + c J(A)", "MN ch. 9, product rule", _fwd_smul),
    _F("mm", "vec(L dA R) = (R^T kron L) vec(dA)", "MC eq. (520); MN ch. 2 Thm 2", _fwd_mm),
    _F("had", "J(A * B) = diag(vec B) J(A) + diag(vec A) J(B)", "MN ch. 9 (Hadamard product)", _fwd_had),
    _F("hpow", "J(A**p) = diag(vec(p A**(p-1))) J(A)", "calculus, element-wise",
       lambda e, Js, w: mm(_diag_of(smul(num(e.data), hpow(e.args[0], e.data - 1))), Js[0])),
    _F("fn", "J(f(A)) = diag(vec f'(A)) J(A)", "calculus, element-wise", _fwd_fn),
    _F("T", "J(a^T) = J(a) for a vector a", "vec of a row = vec of the column", _fwd_T),
    _F("inv", "J(inv X) = -(inv(X)^T kron inv(X)) J(X)", "MN ch. 9 Thm 3; MC eq. (36)",
       lambda e, Js, w: mm(neg(kron(T(e), e)), Js[0])),
    _F("softmax", "J(softmax z) = (diag(s) - s s^T) J(z)", "Bishop, PRML (2006) eq. (4.106)", _fwd_softmax),
    _F("mpow", "J(X^k) = sum_j ((X^(k-1-j))^T kron X^j) J(X)", "MC eq. (91) with MC eq. (520)", _fwd_mpow),
    _F("vec", "J(vec A) = J(A)", "definition", lambda e, Js, w: Js[0]),
    _F("diag", "J(diag v)", "needs selection matrices", _no("the Jacobian of diag(v) (a selection matrix)")),
    _F("dvec", "J(diag X)", "needs selection matrices", _no("the Jacobian of diag(X) (a selection matrix)")),
    _F("kron", "vec(A kron B) = (I kron K kron I)(vec A kron vec B)", "MN ch. 3 Thm 10",
       _no("the Jacobian of kron(A, B) in a variable (it needs the commutation matrix)")),
    _F("pinv", "d pinv(X)", "Golub & Pereyra (1973)", _no("pinv(X): the derivative is not in the rule set")),
)}


def rule_for(table, e):
    r = table.get(e.op)
    if r is None:
        raise NotDerivable(f"no rule for {e.op}")
    return r
