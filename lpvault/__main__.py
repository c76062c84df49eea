"""`python -m lpvault`."""
from lpvault.cli import main

main()
