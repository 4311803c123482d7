"""Tables as CSV or JSON responses."""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Sequence

from flask import Response, jsonify

# A text cell starting with one of these is read as a formula by spreadsheets.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value):
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def csv_text(columns: Sequence[str], rows: Iterable[Sequence]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(v) for v in row])
    return buf.getvalue()


def csv_response(
    columns: Sequence[str],
    rows: Iterable[Sequence],
    filename: str,
    *,
    described_by: str | None = None,
) -> Response:
    response = Response(csv_text(columns, rows), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    if described_by:
        response.headers["Link"] = f'<{described_by}>; rel="describedby"'
    return response


def _json_value(value):
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def table_json(table, *, dictionary_url: str) -> Response:
    """``{"dataset", "columns", "records", ...}``: ``pd.DataFrame(js["records"], columns=js["columns"])``."""
    return jsonify(
        dataset=table.dataset,
        columns=list(table.columns),
        records=[
            {c: _json_value(v) for c, v in zip(table.columns, row, strict=True)}
            for row in table.rows
        ],
        filters=table.filters,
        min_n=table.min_n,
        dictionary=dictionary_url,
    )
