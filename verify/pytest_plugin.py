r"""pytest plugin: claims as test items, Hypothesis points for ordinary tests, readable failures.

Registered through the ``pytest11`` entry point (name ``verify``; disable with
``-p no:verify``). It imports nothing heavy until an option or marker asks for it.

* ``pytest --verify-claims MODULE`` collects ``MODULE.CLAIMS`` as test items, one per
  claim (``MODULE::claim.id``) and, with ``--verify-mutants``, one per mutant
  (``MODULE::claim.id[mutant]``), which passes only when the mutant is refuted. Given
  without test paths, only the claims run (the ``testpaths`` are not collected).
  The module is imported with the invocation directory on ``sys.path``, so
  ``pytest --verify-claims docs.examples.my_claims`` works from a project's root.
* ``--verify-seed N`` seeds every check (default 0): the claims, the ``verify_point``
  marker, and :mod:`verify.api` calls that leave ``seed`` unset. Failures print it.
* ``--verify-profile quick|thorough`` sets the search effort of claims.
* ``@pytest.mark.verify_point(strategy, max_examples=100)`` runs a test once per point
  drawn from a Hypothesis strategy, passed as the ``verify_point`` argument; a failure is
  shrunk and reported with the seed.
* A failure by :class:`~verify.errors.CheckFailed` or
  :class:`~verify.errors.CheckUndecided` is reported as its evidence table (``--tb=long``
  adds the traceback).

>>> _validate_marker_kwargs({"max_examples": 5})
5
>>> _validate_marker_kwargs({"max_exemples": 5})
Traceback (most recent call last):
...
ValueError: verify_point got unknown keyword(s) ['max_exemples']; it takes max_examples=
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import pytest

from .errors import CheckFailed, CheckUndecided

__all__ = ["ClaimsModule", "ClaimItem", "ClaimNotAsExpected"]


def pytest_addoption(parser):
    group = parser.getgroup("verify", "verify: mathematical claims and checks as tests")
    group.addoption("--verify-claims", action="append", default=[], metavar="MODULE",
                    help="collect MODULE.CLAIMS (verify.Claim objects) as test items; repeatable")
    group.addoption("--verify-mutants", action="store_true", default=False,
                    help="also collect one item per mutant of each claim; it passes when the mutant is refuted")
    group.addoption("--verify-seed", type=int, default=None, metavar="N",
                    help="seed of every verify check in this run (default 0); printed on failure")
    group.addoption("--verify-profile", choices=("quick", "thorough"), default="quick",
                    help="search effort of claims (default quick)")


def _seed(config) -> int:
    s = config.getoption("verify_seed", None)
    return 0 if s is None else int(s)


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "verify_point(strategy, max_examples=100): run the test once per point drawn from the Hypothesis "
        "strategy, passed as the verify_point argument (seeded by --verify-seed, shrunk on failure)")
    config.addinivalue_line("markers", "verify_claim: a claim collected by --verify-claims")
    config.addinivalue_line("markers", "verify_mutant: a mutant collected by --verify-mutants (must be refuted)")
    seed = config.getoption("verify_seed", None)
    if seed is not None:
        if seed < 0:
            raise pytest.UsageError(f"--verify-seed={seed} must be a non-negative integer")
        from . import api

        api._SESSION_SEED[0] = seed


def pytest_unconfigure(config):
    api = sys.modules.get("verify.api")
    if api is not None and config.getoption("verify_seed", None) is not None:
        api._SESSION_SEED[0] = 0


def pytest_report_header(config):
    mods = config.getoption("verify_claims", [])
    if mods or config.getoption("verify_seed", None) is not None:
        extra = f", claims from {', '.join(mods)}" if mods else ""
        muts = " with mutants" if config.getoption("verify_mutants", False) else ""
        return f"verify: seed={_seed(config)}, profile={config.getoption('verify_profile')}{extra}{muts}"
    return None


# ---------------------------------------------------------------------------
# claims as items
# ---------------------------------------------------------------------------


def _claims_only(config) -> bool:
    """--verify-claims without explicit test paths: run only the claims."""
    source = getattr(config, "args_source", None)
    args_kind = getattr(getattr(pytest.Config, "ArgsSource", None), "ARGS", None)
    return bool(config.getoption("verify_claims", [])) and source is not None and source != args_kind


def _import_claims_module(config, name: str):
    for root in (str(config.invocation_params.dir), str(config.rootpath)):
        if root not in sys.path:
            sys.path.insert(0, root)
    try:
        return importlib.import_module(name)
    except ImportError as exc:
        raise pytest.UsageError(
            f"--verify-claims {name}: cannot import it ({exc}); give a dotted module name importable from "
            f"{config.invocation_params.dir} (e.g. docs.examples.my_claims), not a file path") from None


@pytest.hookimpl(tryfirst=True)
def pytest_collection(session):
    if _claims_only(session.config):
        session.perform_collect(args=[])
        return True
    return None


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(session, config, items):
    """Append the claim items before -k / -m selection runs on the list."""
    for name in config.getoption("verify_claims", []):
        module = _import_claims_module(config, name)
        claims = getattr(module, "CLAIMS", None)
        if not isinstance(claims, (tuple, list)):
            raise pytest.UsageError(f"--verify-claims {name}: the module must define CLAIMS, a tuple of "
                                    "verify.Claim objects")
        path = Path(getattr(module, "__file__", None) or config.rootpath)
        collector = ClaimsModule.from_parent(session, name=name, path=path, nodeid=name)
        collector.claims = tuple(claims)
        items.extend(collector.collect())


class ClaimsModule(pytest.Collector):
    """The claims of one module."""

    claims: tuple = ()

    def collect(self):
        from .model import Claim

        mutants = self.config.getoption("verify_mutants", False)
        out = []
        for claim in self.claims:
            if not isinstance(claim, Claim):
                raise pytest.UsageError(f"--verify-claims {self.name}: CLAIMS holds {type(claim).__name__}; "
                                        "every entry must be a verify.Claim")
            out.append(ClaimItem.from_parent(self, name=claim.id, claim=claim, mutant=None))
            if mutants:
                out += [ClaimItem.from_parent(self, name=f"{claim.id}[{m.name}]", claim=claim, mutant=m)
                        for m in claim.mutants]
        return out


class ClaimNotAsExpected(Exception):
    """A claim's verdict differs from its ``expected``, or a mutant was not refuted."""

    def __init__(self, text):
        super().__init__(text)
        self.text = text


def _cell(x) -> str:
    if x is None:
        return "-"
    if isinstance(x, float):
        return f"{x:.3g}"
    return str(x)


def _evidence_table(evidence) -> list[str]:
    import json

    rows = [("check", "verdict", "points", "err/tol", "method")]
    for e in evidence:
        rows.append((e.check, e.verdict, str(e.points), _cell(e.worst_ratio), e.method))
    w = [max(len(r[i]) for r in rows) for i in range(4)]
    lines = ["  " + "  ".join(r[i].ljust(w[i]) for i in range(4)) + "  " + r[4] for r in rows]
    for e in evidence:
        if e.counterexample:
            lines.append(f"  {e.check} counterexample:")
            for k, v in e.counterexample.items():
                lines.append(f"    {k:<12} {json.dumps(v, default=str)[:300]}")
        if e.verdict == "error":
            lines.append(f"  {e.check} error: {e.details.get('error', e.method)}")
        if e.verdict == "undecided" and e.details.get("undecided_example"):
            lines.append(f"  {e.check} undecided at: {json.dumps(e.details['undecided_example'], default=str)[:300]}")
    return lines


class ClaimItem(pytest.Item):
    """One claim (passes when its verdict is as expected) or one mutant (passes when refuted)."""

    def __init__(self, *, claim, mutant, **kwargs):
        super().__init__(**kwargs)
        self.claim, self.mutant = claim, mutant
        self.add_marker("verify_claim")
        if mutant is not None:
            self.add_marker("verify_mutant")

    def runtest(self):
        from .model import PROFILES, RunContext
        from .runner import _run_checks, aggregate

        seed = _seed(self.config)
        ctx = RunContext(seed=seed, profile=PROFILES[self.config.getoption("verify_profile")])
        c = self.claim
        if self.mutant is None:
            evidence = _run_checks(c, c.candidate, ctx, c.id, stop_on_refute=False)
            verdict = aggregate(evidence)
            ok = (c.expected == "holds" and verdict in ("proved", "consistent")) or \
                (c.expected == "refuted" and verdict == "refuted")
            want = "proved or consistent" if c.expected == "holds" else "refuted (an erratum)"
            head = f"claim {c.id}: verdict {verdict}, expected {want}"
        else:
            evidence = _run_checks(c, self.mutant.candidate, ctx, f"{c.id}~{self.mutant.name}",
                                   stop_on_refute=True)
            verdict = aggregate(evidence)
            ok = verdict == "refuted"
            head = (f"mutant {c.id}~{self.mutant.name} ({self.mutant.description}): verdict {verdict}, "
                    "expected refuted: the checks cannot tell this wrong variant from the claim")
        self.user_properties.append(("verify_verdict", verdict))
        if not ok:
            mods = " ".join(f"--verify-claims {m}" for m in self.config.getoption("verify_claims"))
            muts = " --verify-mutants" if self.mutant is not None else ""
            lines = [head, f"  {c.title} [{c.source}]"] + _evidence_table(evidence) + [
                f"run seed {seed}, profile {ctx.profile.name}; reproduce: pytest {mods}{muts} "
                f"--verify-seed {seed} --verify-profile {ctx.profile.name} -k '{self.name}'"]
            raise ClaimNotAsExpected("\n".join(lines))

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, ClaimNotAsExpected):
            return excinfo.value.text
        return super().repr_failure(excinfo, style=style)

    def reportinfo(self):
        return self.path, None, f"verify claim {self.name}"


# ---------------------------------------------------------------------------
# verify_point: Hypothesis-driven points inside ordinary tests
# ---------------------------------------------------------------------------


def _validate_marker_kwargs(kwargs) -> int:
    unknown = sorted(set(kwargs) - {"max_examples"})
    if unknown:
        raise ValueError(f"verify_point got unknown keyword(s) {unknown}; it takes max_examples=")
    n = kwargs.get("max_examples", 100)
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"verify_point max_examples={n!r} must be an int >= 1")
    return n


@pytest.fixture
def verify_point(request):
    """The point drawn for this example (set by ``@pytest.mark.verify_point(strategy)``)."""
    if request.node.get_closest_marker("verify_point") is None:
        raise pytest.UsageError(f"{request.node.nodeid} uses the verify_point fixture without "
                                "@pytest.mark.verify_point(strategy): add the marker with a Hypothesis strategy")
    return None  # replaced by each drawn point in pytest_pyfunc_call


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem):
    marker = pyfuncitem.get_closest_marker("verify_point")
    if marker is None:
        return None
    from hypothesis import HealthCheck, Phase, given, seed as hseed, settings
    from hypothesis.strategies import SearchStrategy

    if len(marker.args) != 1 or not isinstance(marker.args[0], SearchStrategy):
        raise pytest.UsageError(f"{pyfuncitem.nodeid}: @pytest.mark.verify_point takes one Hypothesis strategy, "
                                f"got args={marker.args!r}")
    try:
        max_examples = _validate_marker_kwargs(marker.kwargs)
    except ValueError as exc:
        raise pytest.UsageError(f"{pyfuncitem.nodeid}: {exc}") from None
    if "verify_point" not in pyfuncitem.fixturenames:
        raise pytest.UsageError(f"{pyfuncitem.nodeid}: @pytest.mark.verify_point needs a verify_point "
                                "argument in the test function")
    names = pyfuncitem._fixtureinfo.argnames
    funcargs = {n: pyfuncitem.funcargs[n] for n in names}
    test = pyfuncitem.obj

    def run(verify_point):
        test(**dict(funcargs, verify_point=verify_point))

    run.__name__ = run.__qualname__ = pyfuncitem.name
    run = settings(max_examples=max_examples, database=None, deadline=None, derandomize=False,
                   suppress_health_check=list(HealthCheck), print_blob=False,
                   phases=(Phase.explicit, Phase.generate, Phase.target, Phase.shrink))(run)
    run = hseed(_seed(pyfuncitem.config))(given(verify_point=marker.args[0])(run))
    run()
    return True


# ---------------------------------------------------------------------------
# readable reports for CheckFailed / CheckUndecided raised in ordinary tests
# ---------------------------------------------------------------------------


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    excinfo = call.excinfo
    if (rep.failed and excinfo is not None and not isinstance(item, ClaimItem)
            and isinstance(excinfo.value, (CheckFailed, CheckUndecided))):
        exc = excinfo.value
        where = ""
        for entry in reversed(excinfo.traceback):
            if Path(str(entry.path)) == Path(str(item.path)):
                where = f"{entry.path}:{entry.lineno + 1}"
                break
        lines = [f"{type(exc).__name__}" + (f" at {where}" if where else ""), str(exc)]
        notes = getattr(exc, "__notes__", None) or []
        lines += [n for n in notes if n.strip()]
        lines.append(f"run seed {_seed(item.config)}; reproduce with --verify-seed {_seed(item.config)}")
        if item.config.getoption("tbstyle", "auto") == "long":
            lines += ["", str(rep.longrepr)]
        rep.longrepr = "\n".join(lines)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    failed = terminalreporter.stats.get("failed", [])
    ours = [r for r in failed if isinstance(getattr(r, "longrepr", None), str)
            and "run seed " in r.longrepr and "--verify-seed" in r.longrepr]
    if ours:
        terminalreporter.write_line(f"verify: {len(ours)} check(s) failed; run seed {_seed(config)} "
                                    f"(rerun with --verify-seed {_seed(config)})")
