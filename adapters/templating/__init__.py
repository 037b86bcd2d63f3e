"""Template engines: Jinja2 in its sandbox."""
