"""``verify grade``: grade a whole class.

Submissions (a folder of per-student answers files, or a CSV export of a learning
platform) are read into rows (:mod:`.inputs`); each distinct (question, normalised
answer) is judged once (:mod:`.normalise`) by the same judge as ``verify check``, in a
pool of worker processes or on a Dask cluster (:mod:`.engine`); verdicts are stored in
SQLite as they arrive so a rerun resumes (:mod:`.store`); grades, per-student feedback
and a summary of the common mistakes are written to the output folder (:mod:`.outputs`).
"""
