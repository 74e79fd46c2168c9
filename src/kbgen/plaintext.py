"""Kept for kinds added from outside kbgen: `from kbgen.plaintext import plain`
is the path installed kind packages use (docs/content-model-extensions.md
before 0.2). kbgen itself imports kbgen.text.plaintext; new kinds import
these names from kbgen.kinds."""
from .text.plaintext import dur, joined, plain, step_texts, steps_text

__all__ = ["dur", "joined", "plain", "step_texts", "steps_text"]
