"""The content model: one pydantic model per kind (see kinds.py)."""
from .kinds import ARTICLE_TYPES, PASSTHROUGH_KEYS, ArticleMeta, RunbookMeta  # noqa: F401
