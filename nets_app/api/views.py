"""Thin views: parse the query string, call the export service, format."""

from __future__ import annotations

from flask import jsonify, request, url_for
from flask_login import current_user

from nets_app.api import bp
from nets_app.api.formats import csv_response, table_json
from nets_app.services import exports


def _args() -> dict[str, str]:
    return {k: v.strip() for k, v in request.args.items()}


@bp.get("/")
def index():
    allowed = exports.available_datasets(current_user)
    return jsonify(
        datasets=[
            {
                "name": name,
                "json": url_for("api.dataset_json", dataset=name),
                "csv": url_for("api.dataset_csv", dataset=name),
                "dictionary": url_for("api.dictionary_json", dataset=name),
                "filters": list(exports.FILTERS[name]),
            }
            for name in allowed
        ]
    )


@bp.get("/<dataset>")
def dataset_json(dataset: str):
    table = exports.export(current_user, dataset, _args(), fmt="json")
    return table_json(table, dictionary_url=url_for("api.dictionary_json", dataset=dataset))


@bp.get("/<dataset>.csv")
def dataset_csv(dataset: str):
    table = exports.export(current_user, dataset, _args(), fmt="csv")
    return csv_response(
        table.columns,
        table.rows,
        f"nets-{dataset}-{table.filters['window']}.csv",
        described_by=url_for("api.dictionary_csv", dataset=dataset),
    )


@bp.get("/<dataset>/dictionary")
def dictionary_json(dataset: str):
    rows = exports.dictionary(current_user, dataset, request.args.get("window"))
    return jsonify(
        dataset=dataset,
        columns=["column", "type", "description"],
        records=[{"column": c, "type": t, "description": d} for c, t, d in rows],
    )


@bp.get("/<dataset>/dictionary.csv")
def dictionary_csv(dataset: str):
    rows = exports.dictionary(current_user, dataset, request.args.get("window"))
    return csv_response(("column", "type", "description"), rows, f"nets-{dataset}-dictionary.csv")
