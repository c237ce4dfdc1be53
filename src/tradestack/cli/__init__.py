"""The ``tradestack`` command line: thin Typer commands over the domain's service functions."""
