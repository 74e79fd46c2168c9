"""Agent search: documents built from the model, an engine behind a small
interface (engine.py; Whoosh today), and the ranking rules agents rely on
(exact error codes first, titles and symptoms over body text)."""
