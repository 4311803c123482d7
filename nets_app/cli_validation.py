"""``flask nets validate`` and ``flask nets export-items``: the validation report from the shell."""

from __future__ import annotations

from pathlib import Path

import click
from tqdm import tqdm

from nets_app.cli import database_errors, nets
from nets_app.services.access import NotFound


@nets.command("validate")
@click.option("--window", "window_code", required=True, help="Survey window code, e.g. 2025.")
@click.option("--group", "group_code", default=None, help="Restrict to one learner group.")
@click.option(
    "--out",
    "out_dir",
    default="validation-reports",
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Directory for the HTML and JSON files.",
)
@click.option(
    "--boot", default=200, show_default=True, type=click.IntRange(min=10), help="Omega resamples."
)
@click.option("--seed", default=2026, show_default=True, type=int)
@database_errors
def validate_command(
    window_code: str, group_code: str | None, out_dir: Path, boot: int, seed: int
) -> None:
    """Write a window's validation report: printable HTML and JSON with every number."""
    from nets_app.services import validation
    from nets_app.services.validation_common import Settings
    from nets_app.services.validation_report import SECTION_KEYS

    settings = Settings(seed=seed, n_boot=boot)
    with tqdm(total=len(SECTION_KEYS), desc="Validating", unit="section") as bar:

        def step(key: str) -> None:
            bar.set_postfix_str(key)
            bar.update()

        try:
            report = validation.build_report(
                window_code, group_code, settings=settings, progress=step
            )
        except NotFound as exc:
            raise click.ClickException(str(exc)) from exc
    html_path, json_path = validation.write_report(report, out_dir)
    for section in report.sections:
        if section.ok:
            click.echo(f"  {section.title}: done")
        else:
            click.echo(f"  {section.title}: not available: {section.reason}")
    click.echo(f"Wrote {html_path} and {json_path}")


@nets.command("export-items")
@click.option("--window", "window_code", required=True, help="Survey window code.")
@click.option("--group", "group_code", default=None, help="Restrict to one learner group.")
@click.option(
    "--out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="CSV file to write; its structure goes beside it with the suffix .json.",
)
@database_errors
def export_items_command(window_code: str, group_code: str | None, out: Path) -> None:
    """Export a window's de-identified item answers (and retest pairs) for the notebook."""
    from nets_app.services.validation_export import export_items

    try:
        csv_path, meta_path = export_items(window_code, out, group_code)
    except NotFound as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Wrote {csv_path} and {meta_path}")
