"""kbgen: a support knowledge base kept in git, validated, rendered and searchable."""

# Kept in step with pyproject.toml by tests/test_cli.py; a static string because
# importlib.metadata costs ~40 ms of every command's start-up.
__version__ = "0.1.0"
