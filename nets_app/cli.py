"""``flask nets ...`` commands: instrument checks, demo data, one-step setup."""

from __future__ import annotations

import functools
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy.exc import OperationalError
from tqdm import tqdm

from questionnaires import InstrumentError, coverage, load_framework, load_instrument

nets = AppGroup("nets", help="NETS platform commands.")
instrument = AppGroup("instrument", help="Check and inspect instrument files.")
nets.add_command(instrument)


def register_cli(app: Flask) -> None:
    app.cli.add_command(nets)


def safe_url(url: str) -> str:
    """The database URL with any password hidden."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # an unparseable URL is shown as given, it holds nothing we parsed
        return url


def database_errors(fn):
    """Turn an unreachable database into one clear message and exit code 1."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except OperationalError as exc:
            url = safe_url(current_app.config["SQLALCHEMY_DATABASE_URI"])
            reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
            raise click.ClickException(
                f"cannot reach the database at {url}: {reason}. "
                "Check DATABASE_URL (e.g. postgresql+psycopg://user@127.0.0.1:5432/nets) "
                "and that the server is running."
            ) from exc

    return wrapper


@instrument.command("check")
@click.argument("path", required=False, type=click.Path(dir_okay=False, path_type=Path))
def instrument_check(path: Path | None) -> None:
    """Validate an instrument file (default: the newest nets-core) and summarise it."""
    try:
        inst = load_instrument(path)
    except InstrumentError as exc:
        raise click.ClickException(str(exc)) from exc
    fw = load_framework()
    cov = coverage(inst)
    click.echo(f"{inst.key}: {inst.title}")
    click.echo(
        f"  {cov['items']} Likert items ({cov['core_items']} core), sha256 {inst.sha256[:12]}"
    )
    click.echo("  Items per theme:")
    for theme in inst.themes:
        click.echo(f"    {theme.title:<32} {cov['per_theme'].get(theme.id, 0)}")
    click.echo("  Items per Quality Framework domain:")
    for d, title in fw.domains.items():
        click.echo(f"    {d} {title:<45} {cov['per_domain'][d]}")
    click.echo(
        "  Items per standard: " + ", ".join(f"{s}:{n}" for s, n in cov["per_standard"].items())
    )
    click.echo(f"  Reverse-keyed: {', '.join(cov['reverse'])}")
    click.echo(f"  Adverse-environment indicators: {', '.join(cov['adverse'])}")
    uncovered = cov["uncovered"]
    if uncovered:
        click.echo(
            "  Standards no item covers (evidence must come from elsewhere): "
            + ", ".join(f"{s} {fw.standards[s].title}" for s in uncovered)
        )
    click.echo("OK")


@nets.command("demo")
@click.option(
    "--responses", "n_responses", default=3000, show_default=True, type=click.IntRange(min=1)
)
@click.option("--seed", default=2026, show_default=True, type=int)
@click.option("--force", is_flag=True, help="Load even if the database already has placements.")
@database_errors
def demo_command(n_responses: int, seed: int, force: bool) -> None:
    """Load a synthetic pilot (regions, providers, placements, windows, responses)."""
    from nets_app.services import demo

    if demo.has_data() and not force:
        raise click.ClickException(
            "the database already has data; use --force to add a demo pilot anyway"
        )
    stats = demo.load_demo(n_responses=n_responses, seed=seed, progress=True)
    click.echo(
        f"Loaded {stats['responses']} responses, {stats['answers']} answers, "
        f"{stats['placements']} placements, {stats['concerns']} concern reports."
    )


@nets.command("score")
@click.option(
    "--window", "window_codes", multiple=True, help="Window code (repeat); default: every window."
)
@database_errors
def score_command(window_codes: tuple[str, ...]) -> None:
    """Score placements, benchmark them and raise adverse-environment flags for a window."""
    from nets_app.services import scoring

    codes = list(window_codes) or scoring.window_codes()
    for code in tqdm(codes, desc="Scoring windows", unit="window", disable=len(codes) < 2):
        try:
            run = scoring.score_window(code)
        except scoring.UnknownWindowError as exc:
            raise click.ClickException(str(exc)) from exc
        click.echo(
            f"Window {code}: {run.n_responses} responses scored, results stored (run {run.id})."
        )


@nets.command("setup")
@click.option(
    "--responses", "n_responses", default=3000, show_default=True, type=click.IntRange(min=1)
)
@click.option("--seed", default=2026, show_default=True, type=int)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@database_errors
def setup_command(n_responses: int, seed: int, host: str, port: int) -> None:
    """Apply migrations, load the demo pilot if the database is empty, print how to start."""
    from flask_migrate import upgrade

    from nets_app.services import demo

    upgrade()
    if not demo.has_data():
        click.echo("Empty database: loading the demo pilot ...")
        demo.load_demo(n_responses=n_responses, seed=seed, progress=True)
        from nets_app.services import risk, scoring

        for code in scoring.window_codes():
            scoring.score_window(code)
        # Proposed concerns from the newest window's flags, for the quality team to triage.
        risk.propose_concerns_from_flags(scoring.window_codes()[-1])
    info = demo.newcomer_info()
    base = f"http://{host}:{port}"
    click.echo("")
    click.echo(f"NETS platform: {base}/")
    click.echo(f"Database: {safe_url(current_app.config['SQLALCHEMY_DATABASE_URI'])}")
    for label, path in info["links"]:
        click.echo(f"{label}: {base}{path}")
    for role, email, password in info["logins"]:
        click.echo(f"Demo login ({role}): {email} / {password}")


from nets_app import cli_validation  # noqa: E402,F401  (flask nets validate, export-items)
