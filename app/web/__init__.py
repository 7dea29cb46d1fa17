"""The explorer page: Jinja2 templates and the static ES modules that drive the API."""
