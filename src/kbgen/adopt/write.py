"""Write an adoption plan as a config file. A repository with its own
mkdocs.yml keeps it untouched: kbgen's settings go to kbgen.yml, which
INHERITs it (plain `mkdocs build` builds the team's site as before;
`mkdocs build -f kbgen.yml` and kbgen's commands build the KB)."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml

from ..config import find_plugin_options
from ..site.settings import Dumper
from .detect import AdoptError, Adoption

__all__ = ["AdoptError", "config_text", "write"]


def config_text(plan: Adoption) -> str:
    head = ["# Written by `kbgen adopt`: the conventions of this repository, as kbgen options.",
            "# Every option is documented in docs/adopting.md of kbgen; edit freely.", ""]
    opts = dict(plan.options)
    opts.setdefault("default_audience", "internal")
    if plan.existing_mkdocs:
        raw = plan.site_config  # read once, by kbgen.read.configfile (tags kept as written)
        plugins = list(raw.get("plugins") or ["search"]) if isinstance(raw.get("plugins"), list) else ["search"]
        if isinstance(raw.get("plugins"), dict):
            plugins = [{k: v} if v else k for k, v in raw["plugins"].items()]
        plugins = [p for p in plugins if p != "kbgen" and not (isinstance(p, dict) and "kbgen" in p)
                   and (p if isinstance(p, str) else next(iter(p), None)) not in plan.left_out]
        doc: dict[str, Any] = {"INHERIT": plan.existing_mkdocs, **plan.overrides,
                               "plugins": plugins + [{"kbgen": opts}]}
    else:
        doc = {"site_name": str(plan.site.get("site_name") or plan.root.name)}
        if plan.site.get("docs_dir") not in (".", None):
            doc["docs_dir"] = plan.site["docs_dir"]
        doc["theme"] = {"name": "material", "font": False,
                        "features": ["navigation.indexes", "navigation.top", "search.highlight", "content.code.copy"]}
        doc["plugins"] = ["search", {"kbgen": opts}]
        # footnotes ([^1]) render on GitHub, GitLab, Hugo and Jekyll: the pages were written with them
        doc["markdown_extensions"] = ["footnotes"]
    return "\n".join(head) + yaml.dump(doc, Dumper=Dumper, sort_keys=False, allow_unicode=True, width=110)


def write(plan: Adoption, force: bool = False) -> Path:
    """Write the config file, never through a symbolic link (one may lead
    out of the repository), never over a file unless force."""
    path = plan.root / plan.config_name
    if plan.existing_mkdocs and not force and find_plugin_options(plan.site_config)[0] is not None:
        raise AdoptError(f"{plan.existing_mkdocs} exists already and enables the kbgen plugin: "
                         "this repository uses kbgen (pass --force to write kbgen.yml beside it anyway)")
    if path.is_symlink():
        raise AdoptError(f"{path.name} is a symbolic link (to {os.readlink(path)}): kbgen adopt writes no file "
                         "through a link, even with --force (remove the link first)")
    if os.path.lexists(path) and not force:
        raise AdoptError(f"{path.name} exists already; kbgen adopt changes no existing file "
                         f"(remove it, or pass --force to replace it)")
    text = config_text(plan).encode("utf-8")
    flags = os.O_WRONLY | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | (os.O_TRUNC if force else os.O_EXCL)
    try:
        fd = os.open(path, flags, 0o644)
    except FileExistsError:
        raise AdoptError(f"{path.name} appeared while kbgen adopt ran; nothing was written") from None
    with os.fdopen(fd, "wb") as fh:
        fh.write(text)
    return path
