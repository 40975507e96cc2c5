"""The `nk-troops` program never imports pandas for the commands that do not use it (see WITHOUT_PANDAS)."""

from __future__ import annotations

import importlib.abc

WITHOUT_PANDAS = frozenset({"validate", "check-tables"})
"""Commands that never use pandas (`build` does, for frictionless-py's Parquet). pyarrow imports pandas on the first
Python value it converts, a third of a cold `nk-troops validate`: the program refuses it for these commands."""


class NoPandas(importlib.abc.MetaPathFinder):
    """Refuses to import pandas (see WITHOUT_PANDAS)."""

    def find_spec(self, name: str, path: object = None, target: object = None) -> None:
        if name.partition(".")[0] == "pandas":
            raise ModuleNotFoundError("the nk-troops command does not use pandas", name=name)
        return None
