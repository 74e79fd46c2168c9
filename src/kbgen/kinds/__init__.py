"""The kind registry: every kind kbgen knows, built in or added.

A KB's kinds (`Config.kinds`) are kbgen's own, those installed packages
declare under the entry point group `kbgen.kinds`, and those its mkdocs.yml
names in the kbgen plugin option `kinds` (importable module names). An added
kind is a module with a `KIND` (an instance of kbgen.kinds.Kind) or `KINDS`
(a list of them); see docs/content-model-extensions.md.
"""
from __future__ import annotations

import importlib
from collections.abc import Iterator
from functools import cache
from importlib.metadata import entry_points

from pydantic import BaseModel

from ..schema.common import DataFile, Strict
from ..text.anchors import slugify
from ..text.plaintext import plain
from . import alerts, article, contacts, error_codes, faq, runbook, sla, templates, tiers
from .base import CodeTable, Kind, Listing, Part, Ref, SearchText, markdown_sections, memo

# The API of a kind added from outside kbgen (docs/content-model-extensions.md):
# the base class and what its methods return, and the helpers such a kind uses.
__all__ = ["CodeTable", "DataFile", "Kind", "KindError", "Kinds", "Listing", "Part", "Ref", "SearchText", "Strict",
           "builtin_kinds", "default_kinds", "markdown_sections", "memo", "plain", "slugify"]

ENTRY_POINTS = "kbgen.kinds"


class KindError(Exception):
    """An added kind that cannot be used: its module is missing, or it is incomplete."""


class Kinds:
    """The kinds of one knowledge base, in listing order."""

    def __init__(self, kinds: list[Kind]):
        self._by_type: dict[str, Kind] = {}
        self._by_name: dict[str, Kind] = {}
        for k in kinds:
            self._add(k)

    def _add(self, kind: Kind, origin: str = "kbgen") -> None:
        if not isinstance(kind, Kind):
            raise KindError(f"{origin}: {kind!r} is not a kbgen.kinds.Kind")
        for attr in ("type", "title", "label"):
            if not isinstance(getattr(kind, attr, None), str) or not getattr(kind, attr):
                raise KindError(f"{origin}: kind {kind!r} has no {attr}")
        if kind.type in self._by_type:
            raise KindError(f"{origin}: a kind of type '{kind.type}' is already defined ({self._by_type[kind.type]!r})")
        if kind.name is not None:
            if kind.name in self._by_name:
                raise KindError(f"{origin}: 'kind: {kind.name}' is already defined ({self._by_name[kind.name]!r})")
            if not (isinstance(kind.model, type) and issubclass(kind.model, BaseModel)
                    and issubclass(kind.model, DataFile)):
                raise KindError(f"{origin}: kind '{kind.name}' needs a model derived from kbgen.schema.common.DataFile")
            if kind.template is None:
                raise KindError(f"{origin}: kind '{kind.name}' needs a template for its page")
            self._by_name[kind.name] = kind
        self._by_type[kind.type] = kind

    def with_modules(self, modules: list[str]) -> "Kinds":
        """These kinds and those the named modules define."""
        out = Kinds(list(self))
        for name in modules:
            for kind in _module_kinds(name):
                out._add(kind, f"module '{name}'")
        return out

    def __iter__(self) -> Iterator[Kind]:
        return iter(sorted(self._by_type.values(), key=lambda k: k.order))

    def get(self, type_: str) -> Kind | None:
        return self._by_type.get(type_)

    def named(self, name: str) -> Kind | None:
        """The kind a YAML file's `kind:` names."""
        return self._by_name.get(name)

    def names(self) -> list[str]:
        return list(self._by_name)

    def types(self) -> list[str]:
        return [k.type for k in self]

    def for_doc(self, doc) -> Kind:
        """The kind of a loaded source: Markdown is an article or a runbook; YAML says its kind."""
        if doc.fmt == "md":
            return self._by_type["runbook" if doc.kind == "runbook" else "article"]
        return self._by_name[doc.kind]


def _module_kinds(name: str) -> list[Kind]:
    try:
        module = importlib.import_module(name)
    except Exception as exc:  # any error of someone else's module is a message, not a traceback
        raise KindError(f"cannot import kind module '{name}': {type(exc).__name__}: {exc}") from None
    found = getattr(module, "KINDS", None)
    if found is None and hasattr(module, "KIND"):
        found = [module.KIND]
    if not found:
        raise KindError(f"module '{name}' defines no KIND (a kbgen.kinds.Kind) or KINDS (a list of them)")
    return list(found)


def builtin_kinds() -> list[Kind]:
    return [runbook.KIND, *error_codes.KINDS, faq.KIND, article.KIND, sla.KIND, tiers.KIND,
            contacts.KIND, templates.KIND, alerts.KIND]


@cache
def default_kinds() -> Kinds:
    """kbgen's kinds and those of installed packages (entry points `kbgen.kinds`)."""
    kinds = Kinds(builtin_kinds())
    for ep in sorted(entry_points(group=ENTRY_POINTS), key=lambda e: e.name):
        try:
            loaded = ep.load()
        except Exception as exc:
            raise KindError(f"installed kind '{ep.name}' ({ep.value}) cannot be loaded: "
                            f"{type(exc).__name__}: {exc}") from None
        for kind in (loaded if isinstance(loaded, (list, tuple)) else [loaded]):
            kinds._add(kind, f"installed kind '{ep.name}' ({ep.value})")
    return kinds
