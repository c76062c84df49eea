"""lpvault: lint and index a vault of STAR interview stories by leadership principle."""
from __future__ import annotations

__version__ = "0.1.0"
