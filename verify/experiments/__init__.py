"""Reproductions of the seeds' experiments (``verify reproduce ...``)."""
