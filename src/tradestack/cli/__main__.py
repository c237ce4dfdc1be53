"""``python -m tradestack.cli`` runs the command line."""

from tradestack.cli.main import main

main()
