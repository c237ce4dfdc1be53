"""Market data: providers (synthetic, files), ingest into storage, and the live replay feed."""
