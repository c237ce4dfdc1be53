"""Who may call the API: bearer tokens with roles, checked by the gateway and issued by the CLI."""
