"""Checking homework answers: a whitelisting parser, a question bank and a judge.

``verify questions`` lists the bank; ``verify check ANSWERS.toml`` grades a file.
Nothing here calls ``eval``, ``sympify`` or ``parse_expr`` on an answer.
"""
