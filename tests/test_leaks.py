"""Plant unique markers in every kind of internal content; a public build
must contain none of them, in any file (compressed ones included)."""
from __future__ import annotations

import json
import uuid

from kbfactory import run_kbgen, site_texts, write_kb


def test_public_build_leaks_nothing_internal(tmp_path):
    m = {name: f"LEAK{name.upper()}{uuid.uuid4().hex[:10]}" for name in (
        "title", "summary", "body", "step", "code", "tier", "person", "phone", "image", "yamlfield",
        "template", "faq", "alert", "article", "tag", "owner", "alias")}
    files = {
        "runbooks/secret-rb.yaml": f"""\
            kind: runbook
            id: secret-rb
            title: {m['title']} runbook
            summary: {m['summary']}
            audience: internal
            owner: {m['owner']}
            tags: [{m['tag'].lower()}]
            aliases: [{m['alias'].lower()}]
            alerts: [{m['alert']}]
            symptoms: [{m['yamlfield']}]
            diagnostics:
              - title: {m['step']}
                run: echo {m['step']}
            escalation: {{to: {m['tier'].lower()}}}
            """,
        "content/secret-tiers.yaml": f"""\
            kind: tiers
            id: secret-tiers
            audience: internal
            tiers:
              - {{id: {m['tier'].lower()}, name: {m['tier']} tier}}
            """,
        "content/contacts.yaml": f"""\
            kind: contacts
            id: contacts
            audience: public
            channels:
              - {{name: Public email, email: help@example.com}}
              - {{name: Pager, phone: "{m['phone']}", audience: internal}}
            people:
              - {{name: {m['person']}, role: Lead, audience: internal}}
            """,
        "content/secret-codes.yaml": f"""\
            kind: error-codes
            id: secret-codes
            audience: internal
            codes:
              - {{code: {m['code']}, message: internal only, runbook: secret-rb}}
            """,
        "content/secret-templates.yaml": f"""\
            kind: templates
            id: secret-templates
            audience: internal
            templates:
              - {{id: t1, title: T, body: "{m['template']}"}}
            """,
        "content/secret-faq.yaml": f"""\
            kind: faq
            id: secret-faq
            audience: internal
            questions:
              - {{q: "{m['faq']}?", a: answer}}
            """,
        "content/secret-article.md": f"""\
            ---
            audience: internal
            ---
            # {m['article']}

            {m['body']}

            ![diagram](img/{m['image'].lower()}.png)
            """,
        # a public page may link to the public runbook; the internal runbook relates back to it
        "content/public-page.md": "---\naudience: public\n---\n# Public\n\nSee [the runbook](../runbooks/public-rb.yaml).\n",
    }
    root = write_kb(tmp_path / "kb", files)
    img = root / "content" / "img"
    img.mkdir()
    (img / f"{m['image'].lower()}.png").write_bytes(b"\x89PNG" + m["image"].encode())
    assert run_kbgen("validate", root).returncode == 0, run_kbgen("validate", root).stdout

    public, internal = tmp_path / "public", tmp_path / "internal"
    run_kbgen("build", root, "--audience", "public", "--site-dir", public, "-q", check=True)
    run_kbgen("build", root, "--audience", "internal", "--site-dir", internal, "-q", check=True)

    pub, intl = site_texts(public, names=True), site_texts(internal, names=True)
    for name, marker in m.items():
        needle = marker.lower() if name in ("tier", "image", "tag", "alias") else marker
        leaked = [f for f, text in pub.items() if needle in text or needle.lower() in text.lower()]
        assert not leaked, f"internal {name} marker leaked into the public build: {leaked[:5]}"
        # and the marker is really there in the internal build, so this test can fail
        assert any(needle.lower() in text.lower() for text in intl.values()), f"{name} missing from internal build"
    kb = json.loads((public / "kb.json").read_text())
    contacts = next(e for e in kb["entities"] if e["id"] == "contacts")
    assert [c["name"] for c in contacts["data"]["channels"]] == ["Public email"]
