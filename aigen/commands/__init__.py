"""One module per command; each exposes ``command`` (a click.Command) and a plain function returning an exit code."""
