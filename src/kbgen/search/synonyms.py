"""Support vocabulary: how customers say it -> the words the content uses.
Applied to queries before text matching (phrases first, whole words only)."""
from __future__ import annotations

import re

PHRASES = {
    "can't log in": "login failures", "cannot log in": "login failures", "unable to log in": "login failures",
    "log in": "login", "log on": "login", "sign in": "login", "signin": "login", "logon": "login",
    "can't login": "login failures", "cannot login": "login failures", "won't connect": "connection failures",
    "can't connect": "connection failures", "cannot connect": "connection failures",
    "two factor": "two-factor 2fa", "2 factor": "two-factor 2fa",
    # "how fast do YOU ..." asks for a service level; "how long does a backup take" does not
    "how fast do you": "sla response time target", "how fast will you": "sla response time target",
    "how quickly do you": "sla response time target", "how quickly will you": "sla response time target",
    "how long do you": "sla response resolution time target", "how long will you": "sla response resolution time target",
    "how long does it take you": "sla response resolution time target",
    "how fast": "response time", "how quickly": "response time", "how long": "time",
    "too many requests": "rate limit 429", "out of disk": "no space left on device",
    "disk full": "no space left on device", "out of memory": "memory enomem",
}
WORDS = {
    "respond": "response", "responds": "response", "answer": "response", "reply": "response",
    "2fa": "two-factor 2fa totp", "mfa": "two-factor mfa", "otp": "totp two-factor",
    "slow": "slow latency performance", "sluggish": "latency performance",
    "stuck": "stuck not confirming", "hung": "stuck", "down": "down outage unreachable",
    "outage": "outage down", "pager": "on-call", "oncall": "on-call",
    "escalate": "escalate escalation", "escalation": "escalation escalate tier",
    "password": "password credentials", "locked": "lockout locked", "ratelimit": "rate limit",
    "throttled": "rate limit", "throttling": "rate limit throttling", "backup": "backup backups",
    "slowly": "slow performance", "slower": "slow performance",
    "upgrade": "upgrade update", "loadbalancer": "load balancer balancing", "lb": "load balancer", "sla": "sla service level response resolution",
}


# Question words carry no topic; left in, "how do I ..." matches every FAQ question.
FILLER = {"how", "do", "does", "did", "i", "i'm", "im", "my", "me", "what", "what's", "whats", "why", "where",
          "which", "who", "can", "could", "should", "would", "there", "please", "help"}


def expand(q: str) -> str:
    """Phrases are replaced (longest first: "log in" must not also match "log"),
    single words gain their synonyms."""
    text = " " + re.sub(r"[^\w'\- ]", " ", q.lower()) + " "
    for phrase in sorted(PHRASES, key=len, reverse=True):
        if f" {phrase} " in text:
            text = text.replace(f" {phrase} ", f" {PHRASES[phrase]} ")
    words = re.findall(r"[\w'-]+", text)
    kept = [w for w in words if w not in FILLER] or words  # a query of only such words is searched as is
    extra = [WORDS[w] for w in kept if w in WORDS]
    return " ".join(kept + extra)
