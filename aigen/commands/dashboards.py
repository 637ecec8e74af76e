"""`aigen dashboards [--describe] [--model ID]`: the Grafana dashboards `aigen render` writes, listed or described.

Without Grafana at hand a dashboard cannot be looked at, so ``--describe`` prints its layout — rows, panels, units,
thresholds and the series each panel reads — as markdown, read from the same objects the renderer serialises.
"""

from __future__ import annotations

import click

from aigen import dashboard_ids as ids
from aigen.commands.common import echo_problems, project_and_plans
from aigen.dashboards.build import fleet_dashboard, model_dashboard
from aigen.dashboards.layout import describe as describe_layout
from aigen.dashboards.model import Dashboard, all_panels
from aigen.errors import EXIT_INVALID, EXIT_OK, UsageError
from aigen.render.dashboards import FLEET_PATH, model_path


def run(describe: bool = False, models: list[str] | None = None) -> int:
    project, plans = project_and_plans()
    if project.problems:
        echo_problems(project.problems)
        return EXIT_INVALID
    wanted = list(models or [])
    unknown = sorted(set(wanted) - {p.model_id for p in plans})
    if unknown:
        raise UsageError(f"unknown model id(s): {', '.join(unknown)} (known: "
                         f"{', '.join(sorted(p.model_id for p in plans)) or 'none'})")
    dashboards = [(model_path(p.model_id), model_dashboard(p)) for p in plans if not wanted or p.model_id in wanted]
    if not wanted:
        dashboards.append((FLEET_PATH, fleet_dashboard(plans)))
    config = project.config
    if describe:
        click.echo("\n".join(describe_layout(d.to_dict()) for _, d in dashboards), nl=False)
        return EXIT_OK
    for path, dashboard in dashboards:
        click.echo(f"{config.display(config.generated / path)}  {_url(config.dashboard_base_url, dashboard)}  "
                   f"{_count(dashboard)} panels")
    return EXIT_OK


def _url(base: str, dashboard: Dashboard) -> str:
    return base + ids.dashboard_path(dashboard.uid, dashboard.title)


def _count(dashboard: Dashboard) -> int:
    return sum(1 for p in all_panels(dashboard.to_dict()) if p.get("type") != "row")


@click.command("dashboards")
@click.option("--describe", is_flag=True, help="Print each dashboard's panel layout as a markdown table.")
@click.option("--model", "models", multiple=True, metavar="ID", help="Only this model (repeatable); default: every "
              "model and the fleet dashboard.")
def command(describe: bool, models: tuple[str, ...]) -> int:
    """List the Grafana dashboards rendered from the specs, or describe their layout (--describe)."""
    return run(describe, list(models))
