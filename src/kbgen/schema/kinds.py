"""One model per kind: the single source of truth for validation, typed
objects and the JSON Schemas editors use (`kbgen schema --out DIR`)."""
from __future__ import annotations

from typing import Literal

from pydantic import Field

from .common import Common, DataFile, Step, Steps, Strict
from .types import MAX_CODE, AlertName, Audience, Date, DurationField, Label, PriorityId, Slug

ARTICLE_TYPES = ("howto", "faq", "troubleshooting", "reference", "policy", "template", "announcement")

# Keys MkDocs and Material read from front matter: passed through untouched.
PASSTHROUGH_KEYS = frozenset({"hide", "template", "search", "status", "icon", "subtitle",
                              "description", "comments", "title", "tags"})


# --- runbooks ---------------------------------------------------------------

class Cause(Strict):
    id: Slug
    title: str
    description: str | None = None
    resolution: Steps = []


class Escalation(Strict):
    to: Slug
    after: DurationField | None = None
    when: list[str] = []
    contact: str | None = None


class RunbookFields(Strict):
    """Fields a runbook has in either form (YAML, or Markdown front matter)."""
    severity: PriorityId | None = None
    error_codes: list[Label] = []
    escalation: Escalation | None = None
    alerts: list[AlertName] = []
    aliases: list[Slug] = []
    last_tested: Date | None = None
    tools: list[str] = []
    prerequisites: list[str] = []


class Runbook(DataFile, RunbookFields):
    kind: Literal["runbook"]
    symptoms: list[str] = []
    diagnostics: Steps = []
    causes: list[Cause] = []
    resolution: Steps = []
    verification: Steps = []
    rollback: Steps = []


# --- Markdown front matter ---------------------------------------------------

class ArticleMeta(Common):
    """Front matter of content/**/*.md. id and title default from the file."""
    id: Slug | None = None  # type: ignore[assignment]
    type: Literal[ARTICLE_TYPES] = "howto"  # type: ignore[valid-type]


class RunbookMeta(Common, RunbookFields):
    """Front matter of a structured Markdown runbook (runbooks/**/*.md)."""
    id: Slug | None = None  # type: ignore[assignment]
    kind: Literal["runbook"] | None = None
    symptoms: list[str] = []


# --- error codes --------------------------------------------------------------

class ErrorCode(Strict):
    code: Label = Field(min_length=1, max_length=MAX_CODE)
    message: str
    category: str | None = None
    severity: PriorityId | None = None
    description: str | None = None
    causes: list[str] = []
    resolution: str | Steps | None = None
    runbook: Slug | None = None
    http_status: int | None = None


class ErrorCodes(DataFile):
    kind: Literal["error-codes"]
    codes: list[ErrorCode] = Field(min_length=1)


# --- SLA ----------------------------------------------------------------------

class Priority(Strict):
    id: PriorityId
    name: str
    definition: str | None = None
    impact: str | None = None
    examples: list[str] = []
    update_every: DurationField | None = None
    communication: str | None = None


class Channel(Strict):
    id: Slug
    name: str
    hours: str | None = None
    contact: str | None = None


class Plan(Strict):
    id: Slug
    name: str
    price: Label | None = None
    uptime: Label | None = None
    hours: str | None = None
    features: list[str] = []
    description: str | None = None


class Target(Strict):
    priority: PriorityId
    channel: Slug | None = None
    plan: Slug | None = None
    response: DurationField
    resolution: DurationField | None = None
    escalation: DurationField | None = None
    update_every: DurationField | None = None
    handled_by: str | None = None
    note: str | None = None


class Sla(DataFile):
    kind: Literal["sla"]
    priorities: list[Priority] = Field(min_length=1)
    channels: list[Channel] = []
    plans: list[Plan] = []
    targets: list[Target] = []


# --- tiers --------------------------------------------------------------------

class Tier(Strict):
    id: Slug
    name: str
    description: str | None = None
    capabilities: list[str] = []
    tools: list[str] = []
    escalates_to: Slug | None = None
    escalate_when: list[str] = []
    handoff: DurationField | None = None
    process: str | None = None
    response: DurationField | None = None


class ProtocolStep(Strict):
    step: str
    target: Label


class Tiers(DataFile):
    kind: Literal["tiers"]
    tiers: list[Tier] = Field(min_length=1)
    management_chain: list[str] = []
    management_triggers: list[str] = []
    response_protocol: list[ProtocolStep] = []


# --- contacts, templates, FAQ, alerts -----------------------------------------

class ContactChannel(Strict):
    name: str
    email: str | None = None
    phone: Label | None = None
    url: str | None = None
    hours: str | None = None
    response: str | None = None
    notes: str | None = None
    audience: Audience | None = None


class Person(Strict):
    name: str
    role: str | None = None
    email: str | None = None
    phone: Label | None = None
    hours: str | None = None
    notes: str | None = None
    audience: Audience | None = None


class Contacts(DataFile):
    kind: Literal["contacts"]
    channels: list[ContactChannel] = []
    people: list[Person] = []


class Template(Strict):
    id: Slug
    title: str
    use_when: str | None = None
    subject: str | None = None
    body: str
    placeholders: list[str] = []


class Templates(DataFile):
    kind: Literal["templates"]
    templates: list[Template] = Field(min_length=1)


class Question(Strict):
    q: str
    a: str
    id: Slug | None = None


class Faq(DataFile):
    kind: Literal["faq"]
    questions: list[Question] = Field(min_length=1)


class Alert(Strict):
    name: AlertName
    condition: str | None = None       # catalogues often give only a meaning, not the rule
    severity: PriorityId | None = None
    runbook: Slug | None = None
    runbook_url: str | None = Field(default=None, pattern=r"^https?://[^\s<>()\"'`]+$")  # a runbook kept outside the KB
    for_: DurationField | None = Field(default=None, alias="for")
    description: str | None = None

    model_config = {"extra": "forbid", "populate_by_name": True}


class Alerts(DataFile):
    kind: Literal["alerts"]
    alerts: list[Alert] = []
    prometheus_rules: list[str] = []


# Which model a YAML file's `kind:` names, its page, search and outputs: kbgen.kinds.

__all__ = [n for n in dir() if not n.startswith("_")] + ["Step"]
