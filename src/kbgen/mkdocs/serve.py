"""`kbgen serve`: MkDocs' live preview with the kbgen plugin; runbooks/ and
content YAML are watched, so an edit rebuilds the pages it feeds."""
from __future__ import annotations

import os

from ..config import Config


def serve(cfg: Config, audience: str, dev_addr: str | None, open_browser: bool = False) -> None:
    from mkdocs.commands.serve import serve as mk_serve
    os.environ["KBGEN_AUDIENCE"] = audience
    path = cfg.root / "mkdocs.yml"
    if not path.exists():
        path = cfg.root / "mkdocs.yaml"
    kwargs = {"docs_dir": str(cfg.content_dir)}  # as kbgen resolved it (content/ by default)
    if dev_addr:
        kwargs["dev_addr"] = dev_addr
    # livereload is passed explicitly: with click > 8.2.1 MkDocs leaves it off otherwise (mkdocs#4032)
    mk_serve(config_file=str(path), livereload=True, open_in_browser=open_browser, **kwargs)
