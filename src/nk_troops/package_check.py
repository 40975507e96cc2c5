"""Run frictionless-py on a data package and turn its errors into Problems."""

from __future__ import annotations

from pathlib import Path

from . import problems as P
from .confine import load_descriptor


def frictionless_problems(descriptor: Path) -> list[P.Problem]:
    """frictionless-py's verdict on a package, once the descriptor is known to name only regular files inside
    its folder and nothing to fetch (frictionless-py itself reads any path and fetches any URL it is given):
    a descriptor that fails that check is reported, and is not handed to frictionless-py."""
    checked = load_descriptor(descriptor)
    if isinstance(checked, P.Problem):
        return [checked]
    if checked.problems:
        return checked.problems
    import frictionless

    report = frictionless.validate(str(descriptor.name), basepath=str(descriptor.parent), limit_errors=100_000)
    out: list[P.Problem] = []
    for error in report.errors:  # package-level (descriptor) errors
        out.append(P.PackageProblem(f"{error.type}: {error.message}", file=descriptor.name))
    for task in report.tasks:
        for error in task.errors:
            out.append(
                P.PackageProblem(
                    f"{error.type}: {error.message}",
                    resource=task.name,
                    row=getattr(error, "row_number", None),
                    field=getattr(error, "field_name", None),
                    hint="the published tables are generated: fix the records and run `nk-troops build`",
                )
            )
    return out
