"""Repository functions: the only code that writes SQL. Each takes an open connection."""
