"""`python -m cli` runs the same app as the `clause` console script."""

from clause.cli.app import main

main()
