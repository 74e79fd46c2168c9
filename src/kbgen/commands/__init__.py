"""One module per CLI command; see kbgen.cli."""
