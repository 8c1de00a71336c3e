"""Documentation; ``docs.examples`` holds runnable examples (``pytest --verify-claims docs.examples.my_claims``)."""
