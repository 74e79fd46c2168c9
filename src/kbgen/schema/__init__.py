"""The content model: one pydantic model per kind (see kinds.py)."""
from .kinds import (ARTICLE_TYPES, ENTITY_TYPE, KINDS, PASSTHROUGH_KEYS, ArticleMeta,  # noqa: F401
                    RunbookMeta)
