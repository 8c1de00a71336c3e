"""same_order (verify/answers/orders.py): SymPy's limit of answer/reference along rays, then high-precision
rays far out (t up to 2^200), so that slowly growing factors are seen and lower-order terms are not."""

import pytest

from verify.answers.bank import question_from_toml
from verify.answers.judge import judge

N = {"n": "positive integer"}
NKD = {"n": "positive integer", "k": "positive integer", "d": "positive integer"}

TABLE = [  # symbols, reference, answer, verdict, words in the message
    (N, "n", "3*n + 7", "correct", ""),
    (N, "n", "n + n/log(n)", "correct", ""),          # a lower-order term that decays slowly
    (N, "n", "sqrt(n**2 + 1)", "correct", ""),
    (N, "n", "O(n)", "correct", ""),
    (N, "n", "n**1.01", "incorrect", "too loose"),
    (N, "n", "n**0.99", "incorrect", "too small"),
    (N, "n", "n*log(log(n))", "incorrect", "too loose"),
    (N, "n", "n*log(log(log(n)))", "incorrect", ""),
    (N, "n", "n*log(n)", "incorrect", "extra log factor"),
    (N, "n", "n/log(n)", "incorrect", "missing log factor"),
    (N, "n**2*log(n)", "n**2*log(n, 2)", "correct", ""),
    (N, "n**2*log(n)", "log(n**(n**2))", "correct", ""),
    (N, "n**2*log(n)", "n**2", "incorrect", "missing log factor"),
    (N, "2**n", "2**(n + 1)", "correct", ""),
    (N, "2**n", "4**n", "incorrect", "too loose"),
    (N, "2**n", "binomial(2*n, n)", "incorrect", "too loose"),  # SymPy finds no limit: the rays decide
    (N, "factorial(n)", "factorial(n + 1)", "incorrect", ""),
    (N, "factorial(n)", "sqrt(2*pi*n)*(n/exp(1))**n", "correct", ""),  # Stirling, by the rays at 60 digits
    (NKD, "n*k*d", "2*n*k*d + n", "correct", ""),
    (NKD, "n*k*d", "n*k + d", "incorrect", "along the ray"),
    (NKD, "n*k*d", "n*k*d*log(d)", "incorrect", "extra log factor"),
    (N, "n", "log(-n)", "incorrect", ""),
]


@pytest.mark.parametrize("symbols, reference, answer, verdict, words", TABLE,
                         ids=[f"{r}|{a}" for _, r, a, _, _ in TABLE])
def test_same_order(symbols, reference, answer, verdict, words):
    q = question_from_toml({"id": "t/order", "prompt": "p", "symbols": symbols, "reference": reference,
                            "relation": "same_order"})
    v = judge(q, answer=answer)
    assert v.verdict == verdict, v
    assert words in v.message
    if verdict == "incorrect":
        assert v.counterexample and "symbols" in v.counterexample
