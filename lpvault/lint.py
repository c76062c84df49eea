"""Run the rules over a vault (the engine lands with the lint issue)."""
from __future__ import annotations

from lpvault.vault import Vault


def lint_summary(vault: Vault) -> dict[str, int]:
    """Finding counts by rule code, for the hub note."""
    return {}
