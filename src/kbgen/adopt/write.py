"""Write an adoption plan as a config file. A repository with its own
mkdocs.yml keeps it untouched: kbgen's settings go to kbgen.yml, which
INHERITs it (plain `mkdocs build` builds the team's site as before;
`mkdocs build -f kbgen.yml` and kbgen's commands build the KB)."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from ..config import find_plugin_options
from ..errors import KbgenError
from .detect import Adoption


class AdoptError(KbgenError):
    """The configuration cannot be written (the repository uses kbgen already): exit code 2."""

    exit_code = 2


def config_text(plan: Adoption) -> str:
    head = ["# Written by `kbgen adopt`: the conventions of this repository, as kbgen options.",
            "# Every option is documented in docs/adopting.md of kbgen; edit freely.", ""]
    opts = dict(plan.options)
    opts.setdefault("default_audience", "internal")
    if plan.existing_mkdocs:
        raw = yaml.safe_load((plan.root / plan.existing_mkdocs).read_text(encoding="utf-8")) or {}
        plugins = list(raw.get("plugins") or ["search"]) if isinstance(raw, dict) else ["search"]
        if isinstance(raw.get("plugins"), dict):
            plugins = [{k: v} if v else k for k, v in raw["plugins"].items()]
        plugins = [p for p in plugins if p != "kbgen" and not (isinstance(p, dict) and "kbgen" in p)]
        doc: dict[str, Any] = {"INHERIT": plan.existing_mkdocs, "plugins": plugins + [{"kbgen": opts}]}
    else:
        doc = {"site_name": str(plan.site.get("site_name") or plan.root.name)}
        if plan.site.get("docs_dir") not in (".", None):
            doc["docs_dir"] = plan.site["docs_dir"]
        doc["theme"] = {"name": "material", "font": False,
                        "features": ["navigation.indexes", "navigation.top", "search.highlight", "content.code.copy"]}
        doc["plugins"] = ["search", {"kbgen": opts}]
    return "\n".join(head) + yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=110)


def write(plan: Adoption, force: bool = False) -> Path:
    path = plan.root / plan.config_name
    if plan.existing_mkdocs and not force:
        raw = yaml.safe_load((plan.root / plan.existing_mkdocs).read_text(encoding="utf-8")) or {}
        if isinstance(raw, dict) and find_plugin_options(raw)[0] is not None:
            raise AdoptError(f"{plan.existing_mkdocs} exists already and enables the kbgen plugin: "
                             "this repository uses kbgen (pass --force to write kbgen.yml beside it anyway)")
    if path.exists() and not force:
        raise AdoptError(f"{path.name} exists already; kbgen adopt changes no existing file "
                         f"(remove it, or pass --force to replace it)")
    path.write_text(config_text(plan), encoding="utf-8")
    return path
