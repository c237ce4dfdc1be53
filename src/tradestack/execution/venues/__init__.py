"""Venues: where orders go. The paper venue is the default; exchanges sit beside it."""
