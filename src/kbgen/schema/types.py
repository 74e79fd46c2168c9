"""Field types shared by every kind, each with the JSON Schema editors see."""
from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, PlainSerializer, PlainValidator, StringConstraints, WithJsonSchema

from ..text.durations import Duration, parse_duration

# Ids, codes and alert names become file and folder names in a site
# (runbooks/<id>/index.html, e/<code>/, runbooks/<AlertName>/); file systems
# allow 255 bytes per name, and URLs this long help no one.
MAX_ID = 100
MAX_CODE = 100
MAX_PRIORITY = 64
MAX_ALERT_NAME = 200

SLUG_RE = r"^[a-z0-9][a-z0-9-]*$"
Slug = Annotated[str, StringConstraints(pattern=SLUG_RE, max_length=MAX_ID)]
# Priority ids are written as support people write them: P1, critical, sev-2.
PriorityId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]*$", max_length=MAX_PRIORITY)]
Audience = Literal["public", "internal"]
# Alert names become redirect paths (runbooks/<name>/): Prometheus' own
# alert-name characters, so no name can climb out of the site directory.
AlertName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z_:][A-Za-z0-9_:.-]*$", max_length=MAX_ALERT_NAME)]


def _scalar_to_str(value: Any) -> Any:
    # Numbers reach here only from Python callers: YAML scalars in text fields
    # arrive as written (kbgen.schema.scalars); `code: 429` is the label "429".
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, (int, float)):
        return str(value)
    return value


Label = Annotated[str, BeforeValidator(_scalar_to_str),
                  WithJsonSchema({"type": ["string", "number"], "description": "text; numbers are read as text"})]

_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and _DATE_RE.match(value.strip()):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError as exc:
            raise ValueError(f"'{value}' is not a real date ({exc})") from None
    raise ValueError(f"expected a date written YYYY-MM-DD, got {value!r}")


Date = Annotated[
    dt.date,
    PlainValidator(_date),
    PlainSerializer(lambda d: d.isoformat(), return_type=str),
    WithJsonSchema({"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$"}),
]

DURATION_PATTERN = (
    r"^(?i:immediate|immediately|n/a|na|none|0|"
    r"\d+(\.\d+)?\s*(s|secs?|seconds?|m|mins?|minutes?|h|hrs?|hours?|d|days?|w|wks?|weeks?))$"
)

DurationField = Annotated[
    Duration,
    PlainValidator(parse_duration),
    PlainSerializer(lambda d: d.text, return_type=str),
    WithJsonSchema({"type": "string", "pattern": DURATION_PATTERN,
                    "description": "15m, 4h, 2d, 1w, '15 minutes', 'immediate' or 'n/a'"}),
]
