"""Fields every article, runbook and data file shares (the spec's common fields)."""
from __future__ import annotations

from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field, model_validator

from .types import Audience, Date, DurationField, Label, Slug


class Strict(BaseModel):
    """Unknown keys are errors in YAML: a typo must never be silently ignored."""
    model_config = ConfigDict(extra="forbid")


class Common(Strict):
    id: Slug
    title: str | None = None
    summary: str | None = None
    audience: Audience | None = None
    products: list[Slug] = []
    tags: list[Label] = []
    owner: str | None = None
    last_reviewed: Date | None = None
    review_every: DurationField | None = None
    related: list[Label] = []


class DataFile(Common):
    """A YAML file: every kind may carry a Markdown description for its page."""
    description: str | None = None


class Step(Strict):
    """A step: a plain string, or a mapping with a title and an optional command."""
    title: str
    run: str | None = None
    lang: str | None = Field(default=None, pattern=r"^[a-z0-9+-]+$")  # of `run`; default bash
    expect: str | None = None
    note: str | None = None
    from_text: ClassVar[bool] = True  # a plain string is a step too (kbgen.schema.scalars)

    @model_validator(mode="before")
    @classmethod
    def _from_string(cls, value):
        if isinstance(value, str):
            return {"title": value}
        return value


Steps = list[Step]
__all__ = ["Common", "DataFile", "Step", "Steps", "Strict", "Field"]
