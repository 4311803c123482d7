"""``flask risk ...`` commands: propose concerns after scoring, registers, summaries, history checks.

Each command calls one service function; a refusal is printed with its rule and exits 1.
"""

from __future__ import annotations

import datetime as dt

import click
from flask.cli import AppGroup
from sqlalchemy import select

from nets_app.cli import database_errors
from nets_app.domain.errors import DomainError
from nets_app.extensions import db
from nets_app.models import QualityConcern, Region
from nets_app.services import risk
from nets_app.services import risk_reports as reports
from nets_app.services.access import NotFound

risk_cli = AppGroup("risk", help="Risk register and ISF commands.")


def _scope(region_code: str | None) -> int | None:
    if not region_code:
        return None
    region = db.session.scalar(select(Region).where(Region.code == region_code))
    if region is None:
        raise click.ClickException(f"no region {region_code!r}; check the region code")
    return region.id


@risk_cli.command("propose")
@click.argument("window_code")
@click.option("--actor", default="nets-cli", show_default=True, help="Name recorded as proposer.")
@database_errors
def propose_command(window_code: str, actor: str) -> None:
    """Propose a concern for each flagged placement of a scored WINDOW_CODE."""
    try:
        created = risk.propose_concerns_from_flags(window_code, actor=actor)
    except (DomainError, NotFound) as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"window {window_code}: {len(created)} concern(s) proposed")
    for c in created:
        rating = f"{c.likelihood} x {c.impact} = {c.score} ({c.rag})" if c.score else "unrated"
        click.echo(f"  concern {c.id}: {c.placement.code} {rating}")


@risk_cli.command("register")
@click.option("--region", "region_code", help="Region code; the national register if omitted.")
@database_errors
def register_command(region_code: str | None) -> None:
    """Print the risk register as CSV."""
    click.echo(reports.to_csv(reports.register(_scope(region_code))), nl=False)


@risk_cli.command("summary")
@click.argument("period", type=click.Choice(sorted(reports.PERIODS)))
@click.option("--on", "on", type=click.DateTime(["%Y-%m-%d"]), help="Report date (default today).")
@click.option("--region", "region_code", help="Region code; national if omitted.")
@database_errors
def summary_command(period: str, on: dt.datetime | None, region_code: str | None) -> None:
    """Print the as-needed alerts, monthly or quarterly summary as CSV."""
    report = reports.summary(period, _scope(region_code), on.date() if on else None)
    click.echo(f"# {report.title}, {report.start} to {report.end}", err=True)
    for key, n in report.headline.items():
        click.echo(f"# {key}: {n}", err=True)
    click.echo(reports.to_csv(report.rows), nl=False)


@risk_cli.command("check-history")
@database_errors
def check_history_command() -> None:
    """Replay every concern's ISF history under the rules; exit 1 if any does not replay."""
    ids = db.session.scalars(select(QualityConcern.id).order_by(QualityConcern.id)).all()
    bad = 0
    for cid in ids:
        history = reports.concern_history(cid, None)
        if not history.valid:
            bad += 1
            click.echo(f"concern {cid}: {history.error}", err=True)
    click.echo(f"{len(ids)} concern(s) checked, {bad} with a history that does not replay")
    if bad:
        raise SystemExit(1)
