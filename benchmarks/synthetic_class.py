"""A synthetic class for `verify grade` benchmarks (seeded).

500 students x 20 questions (the bank's 14 and 6 custom calculus questions) with answers
drawn from a realistic mix: a few common right forms (most of the class), common wrong
forms, typos (syntax errors), LaTeX, and rare unique answers (a right form with a
student-specific rewrite, or a wrong constant).

    python benchmarks/synthetic_class.py --students 500 --out /tmp/class   # writes answers.csv, questions.toml
"""

from __future__ import annotations

import argparse
import csv
import os
import random

CUSTOM = '''
[[question]]
id = "calc/product"
symbols = { x = "real" }
reference = "(3*x**2 + x**3) * exp(x)"
relation = "equal"

[[question]]
id = "calc/quotient"
symbols = { x = "positive" }
reference = "(1 - log(x)) / x**2"
relation = "equal"

[[question]]
id = "calc/chain"
symbols = { x = "real" }
reference = "2*x*cos(x**2)"
relation = "equal"

[[question]]
id = "calc/sigmoid"
symbols = { x = "real" }
reference = "exp(-x) / (1 + exp(-x))**2"
relation = "equal"

[[question]]
id = "calc/log"
symbols = { x = "positive", y = "positive" }
reference = "log(x) + log(y)"
relation = "equal"

[[question]]
id = "calc/poly"
symbols = { x = "real" }
reference = "(x + 1)**3"
relation = "equal"
'''

#: question -> (right forms, wrong forms, latex forms) ; the first right form is the most common
FORMS = {
    "calc/product": (["(3*x**2 + x**3)*exp(x)", "exp(x)*(x**3 + 3*x**2)", "x**2*exp(x)*(x + 3)", "3*x^2*exp(x) + x^3*exp(x)"],
                     ["3*x**2*exp(x)", "x**3*exp(x)", "3*x**2*exp(x) - x**3*exp(x)"],
                     [r"(3x^2 + x^3)e^{x}", r"x^2 e^x (x+3)"]),
    "calc/quotient": (["(1 - log(x))/x**2", "1/x**2 - log(x)/x**2"], ["(1 + log(x))/x**2", "(log(x) - 1)/x**2", "1/x**2"],
                      [r"\frac{1 - \log x}{x^2}"]),
    "calc/chain": (["2*x*cos(x**2)", "cos(x^2)*2*x"], ["cos(x**2)", "2*x*sin(x**2)", "-2*x*cos(x**2)"],
                   [r"2x\cos(x^2)"]),
    "calc/sigmoid": (["exp(-x)/(1 + exp(-x))**2", "sigmoid(x)*(1 - sigmoid(x))", "exp(x)/(1 + exp(x))**2"],
                     ["sigmoid(x)**2", "exp(-x)/(1 + exp(-x))"], [r"\frac{e^{-x}}{(1+e^{-x})^2}"]),
    "calc/log": (["log(x) + log(y)", "log(x*y)", "log(y) + log(x)"], ["log(x)*log(y)", "log(x + y)"], [r"\log(xy)"]),
    "calc/poly": (["(x + 1)**3", "x**3 + 3*x**2 + 3*x + 1", "(1 + x)^3"], ["x**3 + 1", "x**3 + 3*x + 1", "(x + 1)**2"],
                  [r"(x+1)^3"]),
    "hw4/1.1.1": (["(1/4)**n", "4**(-n)", "0.25**n"], ["1/4", "(1/2)**n", "n/4"], [r"\left(\frac14\right)^n"]),
    "hw4/1.1.2": (["1"], ["0", "(1/2)**n", "n"], [r"1"]),
    "hw4/1.2.1": (["(1/2)**(n-1)", "2**(1-n)"], ["(1/2)**n", "1/2"], [r"2^{1-n}"]),
    "hw4/1.3.1": (["O(n**2*d)", "O(d*n**2)"], ["O(n*d)", "O(n**2)", "O(n**3)"], [r"\mathcal{O}(n^2 d)"]),
    "hw4/1.3.2": (["O(n*k*d)", "O(k*n*d)"], ["O(n**2*d)", "O(n*d)"], [r"\mathcal{O}(nkd)"]),
    "hw4/1.3.3": (["O(n*k*d)"], ["O(n**2*d)", "O(k*d)"], [r"\mathcal{O}(nkd)"]),
    "hw4/2.2": (["log(p_z) - log(abs(det(J)))"], ["log(p_z) + log(abs(det(J)))", "log(p_z) - log(det(J))"],
                [r"\log p_z - \log\left|\det J\right|"]),
    "hw4/3.1b": (["gamma"], ["1", "gamma**2", "1 - gamma"], [r"\gamma"]),
    "hw4/3.1c.1": (["max(q)"], ["sum(q)", "min(q)"], [r"\max q"]),
    "hw4/3.1c.2": (["r + gamma*p.T @ v", "r + gamma * (p.T @ v)"], ["r + p.T @ v", "gamma*p.T @ v"],
                   [r"r + \gamma p^\top v"]),
    "hw4/3.2.1": (["E[g**2*R]/E[g**2]", "E[R*g**2]/E[g**2]"], ["E[R]", "E[g*R]/E[g]"],
                  [r"\frac{\mathbb{E}[g^2 R]}{\mathbb{E}[g^2]}"]),
    "paper/theorem-1": (["inv(A) @ (eta**2*D + I) @ inv(A.T)"], ["inv(A) @ (eta*D + I) @ inv(A.T)", "inv(A) @ inv(A.T)"],
                        [r"A^{-1}(\eta^2 D + I)A^{-\top}"]),
    "paper/theorem-5-explicit": (["1 + (n - k)/(k*(n - 1))*(n*rho - 1)"], ["n/k", "1 + (n-k)/(k*(n-1))*rho"], []),
    "paper/corollary-2": (["n/k"], ["n/k + 1", "k/n"], [r"\frac{n}{k}"]),
}


def _typo(text: str, rng: random.Random) -> str:
    kind = rng.randrange(3)
    if kind == 0:
        return text + " +"
    if kind == 1:
        return text.replace(")", "", 1) if ")" in text else text + ")"
    return text.replace("*", "**", 1).replace("***", "*") + "*"


def make_class(students: int = 500, seed: int = 0):
    rng = random.Random(seed)
    rows = []
    for s in range(students):
        sid = f"student{s:04d}"
        for qid, (right, wrong, latex) in FORMS.items():
            u = rng.random()
            if u < 0.55:  # common right forms, the first most often
                rows.append((sid, qid, right[min(int(rng.expovariate(1.5)), len(right) - 1)], ""))
            elif u < 0.80:
                rows.append((sid, qid, rng.choice(wrong), ""))
            elif u < 0.88 and latex:
                rows.append((sid, qid, "", rng.choice(latex)))
            elif u < 0.94:
                rows.append((sid, qid, _typo(rng.choice(right + wrong), rng), ""))
            else:  # rare, unique answers: a right form times a student-specific 1, or a wrong constant
                base = rng.choice(right)
                k = rng.randint(2, 400)
                rows.append((sid, qid, f"({base}) * {k}/{k}" if rng.random() < 0.5 and not base.startswith("O(")
                             else f"({base}) + {k}/1000" if not base.startswith("O(") else base, ""))
    return rows


def write_class(out: str, students: int = 500, seed: int = 0) -> tuple[str, str]:
    os.makedirs(out, exist_ok=True)
    path = os.path.join(out, "answers.csv")
    with open(path, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["Username", "Question", "Response", "TeX"])
        w.writerows(make_class(students, seed))
    qpath = os.path.join(out, "questions.toml")
    with open(qpath, "w") as fh:
        fh.write(CUSTOM)
    return path, qpath


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--students", type=int, default=500)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", default="/tmp/synthetic-class")
    a = ap.parse_args()
    print(*write_class(a.out, a.students, a.seed))
