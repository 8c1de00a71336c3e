"""The identity catalogue (verify/diff/identities.toml): every identity derived by ``verify diff``
(and verified), the reference judged equal to the numeric derivative, the derived form (pasted back
as text) judged equal too, and every wrong variant refuted. Parametrised over the data file."""

import tomllib
from pathlib import Path

import pytest

from verify.diff.api import NotDerivable, diff
from verify.diff.check import check_derivative
from verify.diff.symbols import parse_symbols

CATALOGUE = tomllib.loads((Path(__file__).parents[2] / "verify" / "diff" / "identities.toml").read_text())["identity"]


def test_catalogue_size_and_fields():
    assert len(CATALOGUE) >= 40
    ids = [e["id"] for e in CATALOGUE]
    assert len(set(ids)) == len(ids)
    for e in CATALOGUE:
        assert e["source"] and e["variants"], e["id"]
        assert set(e) <= {"id", "function", "wrt", "symbols", "reference", "source", "variants", "order", "derivable"}


@pytest.mark.parametrize("entry", CATALOGUE, ids=lambda e: e["id"])
def test_identity_derived_and_variants_refuted(entry):
    domains = parse_symbols(entry["symbols"])
    order = entry.get("order", 1)
    f, wrt = entry["function"], entry["wrt"]
    ref = check_derivative(f, wrt, entry["reference"], domains, order=order)
    assert ref.verified, f"reference not equal to the numeric derivative: {ref.note}"
    if entry.get("derivable", True):
        r = diff(f, wrt, symbols=entry["symbols"], order=order)
        assert r.verified, r.evidence.note
        back = check_derivative(f, wrt, r.expr, domains, order=order, seed=1)
        assert back.verified, f"derived {r.expr!r} pasted back is not the derivative: {back.note}"
    else:
        with pytest.raises(NotDerivable):
            diff(f, wrt, symbols=entry["symbols"], order=order)
    for text, why in entry["variants"]:
        ev = check_derivative(f, wrt, text, domains, order=order, instances=4)
        assert not ev.verified, f"wrong variant {text!r} ({why}) was not refuted"
