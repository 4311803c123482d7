"""The researchers' notebook runs, and reproduces the report's numbers from an exported file.

A demo pilot is loaded into a fresh SQLite database; ``flask nets validate`` writes the
report's JSON and ``flask nets export-items`` the de-identified CSV; the notebook is then
executed (nbclient, the running interpreter's ipykernel) with both paths in its
environment, and compares every number it recomputes with the report's.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import nbformat
import pytest
from flask_migrate import upgrade
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from nets_app import create_app
from nets_app.extensions import db
from tests.validation.demo import load_demo_with_retests

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "validation.ipynb"
WINDOW = str(dt.date.today().year - 1)


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("notebook")
    app = create_app(
        {"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'demo.sqlite3'}"}
    )
    with app.app_context():
        upgrade()
        load_demo_with_retests(1800)
        runner = app.test_cli_runner()
        out = folder / "report"
        result = runner.invoke(
            args=["nets", "validate", "--window", WINDOW, "--out", str(out), "--boot", "10"]
        )
        assert result.exit_code == 0, result.output
        csv = folder / f"items-{WINDOW}.csv"
        result = runner.invoke(args=["nets", "export-items", "--window", WINDOW, "--out", str(csv)])
        assert result.exit_code == 0, result.output
        db.session.remove()
        db.engine.dispose()
    return csv, out / f"validation-{WINDOW}.json"


def run(notebook: Path) -> list[str]:
    """Execute the notebook in its own folder; return the text it printed."""
    nb = nbformat.read(notebook, as_version=4)
    NotebookClient(
        nb,
        kernel_name="python3",
        timeout=300,
        resources={"metadata": {"path": str(notebook.parent)}},
    ).execute()
    return [
        out.get("text", "")
        for cell in nb.cells
        if cell.cell_type == "code"
        for out in cell.get("outputs", [])
        if out.get("name") == "stdout"
    ]


def test_notebook_reproduces_the_report_from_the_exported_file(exported, monkeypatch):
    csv, report = exported
    monkeypatch.setenv("NETS_VALIDATION_EXPORT", str(csv))
    monkeypatch.setenv("NETS_VALIDATION_REPORT", str(report))
    printed = "".join(run(NOTEBOOK))
    assert f"items-{WINDOW}.csv:" in printed
    compared = next(line for line in printed.splitlines() if "compared with the report" in line)
    n, _, rest = compared.partition(" numbers compared with the report; ")
    assert int(n) > 300 and rest == "0 differ"


def test_notebook_runs_without_an_export_on_a_synthetic_pilot(monkeypatch):
    monkeypatch.delenv("NETS_VALIDATION_EXPORT", raising=False)
    monkeypatch.delenv("NETS_VALIDATION_REPORT", raising=False)
    printed = "".join(run(NOTEBOOK))
    assert "items-synthetic.csv: 1650 rows, 40 theme items in 6 themes" in printed
    assert "Parallel analysis retains 6 factors" in printed


def test_notebook_stops_when_a_number_differs_from_the_report(exported, monkeypatch, tmp_path):
    csv, report = exported
    text = report.read_text()
    data = json.loads(text)
    data["sections"]["cfa"]["cfi"] += 0.001
    tampered = tmp_path / "tampered.json"
    tampered.write_text(json.dumps(data))
    monkeypatch.setenv("NETS_VALIDATION_EXPORT", str(csv))
    monkeypatch.setenv("NETS_VALIDATION_REPORT", str(tampered))
    with pytest.raises(CellExecutionError, match="CFA cfi"):
        run(NOTEBOOK)
