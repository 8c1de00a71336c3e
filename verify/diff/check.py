r"""Verification before display: the derived derivative against an independent numeric derivative of
the input function, on random instances of the declared domains with every size label in 1..4.

Per instance: the complex step (:func:`verify.numerics.complex_step_jacobian`) when the function is
complex-safe, else Richardson extrapolation (:func:`verify.numerics.richardson_jacobian`, whose error
estimate widens the tolerance); at the worst instance (and at any failing one) a 50-digit mpmath
central difference (:func:`verify.numerics.mp_jacobian`) decides. Hessians: the Jacobian (Richardson)
of the numeric gradient (complex step or Richardson).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import mpmath
import numpy as np

from ..numerics import complex_step_jacobian, compare_arrays, richardson_jacobian
from .codegen import compile_source, numpy_source
from .oracle import Oracle, complex_safe
from .symbols import NotDrawable, draw_instance, labels_of

__all__ = ["Evidence", "verify_derivation", "check_derivative", "TOLERANCE"]

#: (rtol, atol relative to the largest reference entry) per method. Derivatives through inverses of
#: matrices with condition number <= 30 lose at most ~4 digits; a wrong rule is off by O(1).
TOLERANCE = {"complex": (1e-7, 1e-9), "richardson": (1e-6, 1e-7), "mpmath": (1e-8, 1e-10),
             "hessian": (1e-5, 1e-6)}
MAX_TRIES = 40


@dataclass
class Evidence:
    verified: bool
    method: str
    instances: list = field(default_factory=list)  #: per instance: sizes, max error, ratio
    worst: dict = field(default_factory=dict)  #: the worst instance re-checked at 50 digits
    failure: dict | None = None  #: the failing instance: values, derived, numeric
    seed: int = 0
    seconds: float = 0.0
    note: str = ""
    judge: str = ""  #: the verdict of ``verify check``'s derivative relation on the printed form, and why

    def to_json(self) -> dict:
        return {"verified": self.verified, "method": self.method, "instances": self.instances,
                "worst": self.worst, "failure": self.failure, "seed": self.seed,
                "seconds": round(self.seconds, 3), "note": self.note, "judge": self.judge}

    def summary(self) -> str:
        n = len(self.instances)
        sizes = sorted({s for inst in self.instances for s in inst["sizes"].values()})
        if not self.verified:
            return f"NOT verified: {self.note}"
        worst = self.worst
        mp = ""
        if worst.get("mp_error") is not None:
            mp = f"; worst instance re-checked with mpmath (50 digits): max error {worst['mp_error']:.1e}"
        judged = f"; verify check's derivative relation: {self.judge}" if self.judge else ""
        return (f"verified on {n} random instances (sizes {', '.join(map(str, sizes)) or '-'}), {self.method}: "
                f"max error/tolerance {max((i['ratio'] for i in self.instances), default=0):.2g}{mp}{judged}")


def _high_precision_candidate(der, candidate):
    """An Oracle of the derivative under test (the derived plain form, or the given candidate), so that it is
    compared with the 50-digit reference at 50 digits too: a derivative that is 0 by cancellation is then
    ~1e-50 instead of float64 roundoff (the Rayleigh quotient at n = 1 was refused for -8.9e-16)."""
    if candidate is not None:
        return Oracle(candidate, der.domains, None)
    try:
        from .parse import parse_function

        names = set(der.domains) | set(labels_of(der.domains)) | {der.wrt}
        return Oracle(parse_function(der.plain, names), der.domains, None)
    except Exception:  # noqa: BLE001 (no plain form to evaluate: the float64 value is compared)
        return None


def _at_50_digits(der, hi_oracle, env, sizes, cand):
    if hi_oracle is None:
        return cand
    try:
        with mpmath.workdps(50):
            D = hi_oracle.evaluate({k: _mp_array(v) for k, v in env.items()}, sizes, mp=True)[0]
            out = _as_jacobian(der, np.vectorize(lambda t: float(t), otypes=[float])(np.asarray(D, dtype=object)))
    except Exception:  # noqa: BLE001 (the high-precision evaluation is a refinement; float64 stands)
        return cand
    return out if np.shape(out) == np.shape(cand) else cand


def _mp_array(a):
    return np.vectorize(lambda t: mpmath.mpf(float(t)), otypes=[object])(np.asarray(a, dtype=float))


def _mp_scale(mp_ref, ref) -> float:
    """The size entries of the 50-digit reference are judged against: its largest entry, or, for a derivative
    that vanishes by cancellation (trace(inv(X) @ A @ X): the float64 derivative is roundoff ~1e-16, the
    50-digit one ~1e-36), the float64 reference's largest entry. A wrong rule is off by O(1) of the true
    derivative; the floor this adds (atol x the float64 roundoff level, ~1e-26) is far below that. The scale is at
    least 1e-20, so the absolute floor is 1e-30: the 50-digit central differences themselves carry ~1e-32
    (h^2 f''' / 6 + 1e-50 |f| / h with h = 1e-16, instances drawn at unit scale); a wrong rule is off by O(1)."""
    a = float(np.abs(np.asarray(mp_ref, dtype=float)).max()) if np.size(mp_ref) else 0.0
    b = float(np.abs(np.asarray(ref, dtype=float)).max()) if np.size(ref) else 0.0
    return max(a, b if np.isfinite(b) else 0.0, 1e-20)


def _readable(env):
    return {k: (np.round(v[0], 6).tolist() if np.ndim(v) else float(v)) for k, v in env.items()}


def _as_jacobian(der, D):
    """The derived derivative in Jacobian layout (p x m) for comparison."""
    D = np.asarray(D, dtype=float)
    if der.kind in ("gradient", "derivative"):
        return np.reshape(D, (-1, 1), order="F").T if D.ndim == 2 else np.reshape(D, (1, -1))
    return np.atleast_2d(D)


def _plan(labels, k, rng):
    """Size labels for instance k: every label through 1..4, the first instances covering 2, 3, 4, 1."""
    base = (2, 3, 4, 1)
    return {lab: int(base[(k + j) % 4]) if k < 4 else int(rng.integers(1, 5)) for j, lab in enumerate(labels)}


def _numeric(oracle, der, env, sizes, method):
    if der.kind != "hessian":
        return oracle.numeric_jacobian(env, der.wrt, sizes, method=method)
    x0 = env[der.wrt][0].T.reshape(-1)

    def grad_batch(Z):
        rows = []
        for z in np.asarray(Z, dtype=float):
            local = dict(env)
            local[der.wrt] = z.reshape(1, -1, 1) if z.size else z
            f = oracle.flat_function(local, der.wrt, sizes)
            J, _ = complex_step_jacobian(f, z) if method == "complex" else richardson_jacobian(f, z)
            rows.append(J[0])
        return np.array(rows)

    H, err = richardson_jacobian(grad_batch, x0)
    return H, err


def verify_derivation(der, *, seed: int = 0, instances: int = 6, mp_check: bool = True,
                      candidate=None) -> Evidence:
    """Check the derivation's result (or ``candidate``, a parsed answer-language expression for the
    derivative, as in the judge's derivative relation) against the numeric derivative of the function."""
    t0 = time.perf_counter()
    oracle = Oracle(der.node, der.domains, None)
    if candidate is None:
        func = compile_source(numpy_source(der))
    else:
        cand_oracle = Oracle(candidate, der.domains, None)

        def func(*args, _env=None, _sizes=None):
            return None, cand_oracle.evaluate(_env, _sizes)[0]
    method = "complex" if complex_safe(der.node, der.domains) else "richardson"
    hi_oracle = _high_precision_candidate(der, candidate)
    labels = labels_of(der.domains)
    for lab in _extra_labels(der):
        if lab not in labels:
            labels.append(lab)
    rng = np.random.default_rng(seed)
    ev = Evidence(True, method + (" step" if method == "complex" else " extrapolation"), seed=seed)
    worst = None
    k = tries = 0
    params = [p for p in der.domains if der.domains[p].flavour != "identity"]
    while k < instances and tries < MAX_TRIES:
        tries += 1
        sizes = _plan(labels, k if tries == k + 1 else 4 + tries, rng)  # after a skip: random sizes
        try:
            raw = draw_instance({p: der.domains[p] for p in params}, rng, sizes)
        except NotDrawable:  # these sizes admit no instance (full column rank m x n with m < n)
            continue
        env = {p: np.asarray(v, dtype=float).reshape((1,) + np.shape(v)) if np.ndim(v) else
               np.full((1, 1, 1), float(v)) for p, v in raw.items()}
        with np.errstate(all="ignore"):
            value = oracle.evaluate(env, sizes)
        if not np.all(np.isfinite(value)):
            continue
        args = [raw[p] if np.ndim(raw[p]) == 0 or der.domains[p].kind != "vector" else raw[p].ravel() for p in params]
        try:
            with np.errstate(all="ignore"):
                _, D = func(*args) if candidate is None else func(_env=env, _sizes=sizes)
        except (np.linalg.LinAlgError, ValueError, KeyError, IndexError, TypeError) as exc:
            D = np.full((1, 1), np.nan)
            ev.note = f"the derived expression could not be evaluated: {exc}"
        cand = _as_jacobian(der, D)
        with np.errstate(all="ignore"):
            ref, err = _numeric(oracle, der, env, sizes, method)
            if not np.all(np.isfinite(cand)) and method == "complex":  # x +- h: is f defined around x at all?
                ref_two_sided, _ = _numeric(oracle, der, env, sizes, "richardson")
                if not np.all(np.isfinite(ref_two_sided)):
                    continue  # f is not differentiable here (a domain boundary: asin at p = 1): not admissible
        if not np.all(np.isfinite(ref)):
            continue  # the numeric derivative does not exist here: not an admissible instance
        rtol, atol = TOLERANCE["hessian" if der.kind == "hessian" else method]
        cmp = compare_arrays(cand, ref, rtol=rtol, atol=atol, extra=err if method == "richardson" else None)
        rec = {"sizes": dict(sizes), "max_error": cmp.error, "ratio": cmp.ratio}
        if not cmp.ok and mp_check and der.kind != "hessian":
            try:
                mp_ref = oracle.mp_jacobian(env, der.wrt, sizes)
            except (TypeError, ValueError, ZeroDivisionError):  # complex or undefined at x +- h: not admissible
                continue
            cmp_mp = compare_arrays(_at_50_digits(der, hi_oracle, env, sizes, cand), mp_ref,
                                    rtol=TOLERANCE["mpmath"][0], atol=TOLERANCE["mpmath"][1],
                                    scale=_mp_scale(mp_ref, ref))
            rec["mp_error"] = cmp_mp.error
            if cmp_mp.ok:
                rec["ratio"] = cmp_mp.ratio  # the float64 reference was the noisy one
                cmp = cmp_mp
        ev.instances.append(rec)
        k += 1
        if not cmp.ok:
            ev.verified = False
            ev.failure = {"instance": _readable(env), "sizes": dict(sizes), "index": list(cmp.index),
                          "derived": cmp.candidate, "numeric": cmp.reference, "tolerance": cmp.tolerance,
                          "derived_matrix": np.round(cand, 6).tolist(), "numeric_matrix": np.round(ref, 6).tolist()}
            if isinstance(cmp.candidate, tuple):
                ev.failure.update(derived=None, numeric=None)
                ev.note = (f"at sizes {sizes} the derived derivative has shape {cmp.candidate} (Jacobian layout), "
                           f"the numeric one {cmp.reference}")
            else:
                ev.note = (f"at the instance {_readable(env)} (sizes {sizes}) the derived value at index "
                           f"{list(cmp.index)} is {cmp.candidate:.6g}, the numeric derivative {cmp.reference:.6g}")
            break
        if worst is None or rec["ratio"] > worst[0]["ratio"]:
            worst = (rec, env, sizes, cand, ref)
    if k == 0:
        ev.verified = False
        ev.note = (f"no instance in {tries} draws where the function is defined (finite); declare narrower "
                   "domains (e.g. a positive vector, a positive definite matrix)")
    elif ev.verified and worst is not None and mp_check and der.kind != "hessian" and worst[3].size <= 400:
        rec, env, sizes, cand, ref = worst
        try:
            mp_ref = oracle.mp_jacobian(env, der.wrt, sizes)
        except (TypeError, ValueError, ZeroDivisionError):  # not real around the worst instance
            mp_ref = None
        cmp = compare_arrays(_at_50_digits(der, hi_oracle, env, sizes, cand), mp_ref if mp_ref is not None else ref,
                             rtol=TOLERANCE["mpmath"][0] if mp_ref is not None else TOLERANCE[method][0],
                             atol=TOLERANCE["mpmath"][1] if mp_ref is not None else TOLERANCE[method][1],
                             scale=_mp_scale(mp_ref, ref) if mp_ref is not None else None)
        rec["mp_error"] = cmp.error
        ev.worst = {"sizes": sizes, "mp_error": cmp.error, "ratio": cmp.ratio}
        if not cmp.ok:
            ev.verified = False
            ev.failure = {"instance": _readable(env), "sizes": sizes, "index": list(cmp.index),
                          "derived": cmp.candidate, "numeric": cmp.reference, "tolerance": cmp.tolerance}
            ev.note = f"the mpmath reference disagrees at the instance {_readable(env)}"
    ev.seconds = time.perf_counter() - t0
    return ev


def _extra_labels(der):
    out = []
    from . import expr as E

    for r in (der.f, der.result):
        for n in (E.walk(r) if r is not None else ()):
            for d in (n.shape[0], n.shape[1]):
                out.extend(lab for lab in d if not lab.isdigit())
    return out


def check_derivative(function: str, wrt: str, candidate: str, domains: dict, *, order: int = 1, seed: int = 0,
                     instances: int = 6) -> Evidence:
    """Is ``candidate`` (plain language) the derivative of ``function`` with respect to ``wrt``, in the
    judge's layout? Evidence with ``verified`` True when it matches the numeric derivative everywhere
    tried. The derivation is used only for the layout and the domains, never for the values."""
    from ..answers.language import AnswerError
    from .derive import DiffInputError, derive_layout
    from .parse import parse_function
    from .symbols import labels_of

    der = derive_layout(function, wrt, domains, order=order)
    names = set(der.domains) | set(labels_of(der.domains)) | {"n", "m", "p", "q", "k"}
    try:
        node = parse_function(candidate, names)
    except AnswerError as exc:
        raise DiffInputError(f"candidate {candidate!r}: {exc}") from None
    return verify_derivation(der, seed=seed, instances=instances, candidate=node)
