"""Search vocabulary as data: the default list ships as synonyms.yaml beside
this module; a KB extends it, or replaces it, with the plugin option
`synonyms` (a YAML file in the KB, same format, plus `replace_defaults: true`).

Synonyms only ever ADD alternatives: the reader's own words are always
searched ("disk full" still matches "disk")."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

DEFAULT_FILE = Path(__file__).with_name("synonyms.yaml")

# Question words carry no topic; left in, "how do I ..." matches every FAQ question.
FILLER = {"how", "do", "does", "did", "i", "i'm", "im", "my", "me", "what", "what's", "whats", "why", "where",
          "which", "who", "can", "could", "should", "would", "there", "please", "help"}
# Words too common to say anything; searching them costs time at 10k pages and ranks nothing.
STOP = {"a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "has", "have", "in", "is", "it", "its",
        "of", "on", "or", "that", "the", "this", "to", "was", "will", "with", "we", "you", "your", "our", "us",
        "when", "after", "if", "not", "no", "can't", "cannot", "won't", "don't", "doesn't", "isn't"}
# kept as alternatives when they carry meaning inside a phrase ("out of space", "no space left")


class SynonymError(Exception):
    """A synonyms file the KB gave is unreadable or malformed."""


def _norm(s) -> str:
    return " ".join(re.findall(r"[\w'-]+", str(s).lower()))


EQUIVALENT, EXPAND = 0.7, 0.5  # how much a match on an alternative counts against the reader's own word (1):
# below 1 even for equivalents, so the word as typed ranks first ("timeout" before "timed out")


@dataclass
class Vocabulary:
    # key phrase (normalised, 1+ words) -> {alternative phrase: weight}
    table: dict[str, dict[str, float]] = field(default_factory=dict)

    def add(self, key: str, alts, weight: float = EXPAND) -> None:
        k = _norm(key)
        if not k:
            return
        cur = self.table.setdefault(k, {})
        for a in alts:
            a = _norm(a)
            if a and a != k:
                cur[a] = max(cur.get(a, 0.0), weight)

    def merge(self, data: dict, where: str) -> None:
        if not isinstance(data, dict):
            raise SynonymError(f"{where}: expected a mapping with `equivalent` and/or `expand`")
        for group in data.get("equivalent") or []:
            if not isinstance(group, list):
                raise SynonymError(f"{where}: each `equivalent` entry is a list of words or phrases, got {group!r}")
            for member in group:
                self.add(str(member), [str(m) for m in group], EQUIVALENT)
        expand = data.get("expand") or {}
        if not isinstance(expand, dict):
            raise SynonymError(f"{where}: `expand` maps a word or phrase to a list of alternatives")
        for key, alts in expand.items():
            self.add(str(key), [str(a) for a in (alts if isinstance(alts, list) else [alts])])

    def alternatives(self, words: list[str]) -> dict[str, float]:
        """Phrases to search besides `words`, with their weight: every key the
        query contains fires ("can't log in" and "log in" both)."""
        out: dict[str, float] = {}
        longest = max((k.count(" ") + 1 for k in self.table), default=1)
        for n in range(min(longest, len(words)), 0, -1):
            for i in range(len(words) - n + 1):
                for alt, w in self.table.get(" ".join(words[i:i + n]), {}).items():
                    out[alt] = max(out.get(alt, 0.0), w)
        return out


@lru_cache(maxsize=8)
def _load(kb_file: str | None, mtime: float | None) -> Vocabulary:
    vocab = Vocabulary()
    extra = None
    if kb_file:
        try:
            extra = yaml.safe_load(Path(kb_file).read_text(encoding="utf-8")) or {}
        except OSError as exc:
            raise SynonymError(f"{kb_file}: cannot read the synonyms file: {exc.strerror or exc}") from None
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            at = f":{mark.line + 1}:{mark.column + 1}" if mark else ""
            raise SynonymError(f"{kb_file}{at}: not valid YAML: {getattr(exc, 'problem', exc)}") from None
    if not (isinstance(extra, dict) and extra.get("replace_defaults")):
        vocab.merge(yaml.safe_load(DEFAULT_FILE.read_text(encoding="utf-8")), str(DEFAULT_FILE))
    if extra is not None:
        vocab.merge(extra, str(kb_file))
    return vocab


def vocabulary(kb_file: Path | None = None) -> Vocabulary:
    """The default list, extended or replaced by the KB's file (re-read when it changes)."""
    if kb_file is None:
        return _load(None, None)
    try:
        mtime = kb_file.stat().st_mtime
    except OSError:
        mtime = None
    return _load(str(kb_file), mtime)


def kb_synonyms_file(cfg) -> Path | None:
    name = getattr(cfg.options, "synonyms", None)
    return (cfg.root / name) if name else None
