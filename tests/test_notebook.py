"""docs/examples/notebook.ipynb executes (nbclient) and shows its results as HTML tables."""

import pathlib

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

NOTEBOOK = pathlib.Path(__file__).resolve().parents[1] / "docs" / "examples" / "notebook.ipynb"


@pytest.mark.timeout(120)
def test_notebook_executes_and_displays_rich_results():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbclient.NotebookClient(nb, timeout=60, kernel_name="python3",
                            resources={"metadata": {"path": str(NOTEBOOK.parent)}}).execute()
    errors, html = [], []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        tagged = "raises-exception" in cell.metadata.get("tags", [])
        cell_errors = [o for o in cell.outputs if o.output_type == "error"]
        # a tagged cell must fail, with its evidence table shown instead of a traceback
        assert bool(cell_errors) == tagged, cell.source
        errors += cell_errors
        html += [o.data["text/html"] for o in cell.outputs if "text/html" in o.get("data", {})]
    assert [e.ename for e in errors] == ["CheckFailed", "CheckFailed"]
    assert all(len(e.traceback) == 1 and "evidence above" in e.traceback[0] for e in errors)
    text = "\n".join(html)
    for expected in ("check_jacobian", "check_order", "shrunk by Hypothesis", "counterexample",
                     "networks.rnn-jacobian-bound", "mutants refuted", "claims as expected"):
        assert expected in text, expected
