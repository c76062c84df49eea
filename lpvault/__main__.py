"""`python -m lpvault`."""
from lpvault.cli import run

run()
