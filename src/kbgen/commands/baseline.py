"""kbgen baseline [ROOT]: record the problems the knowledge base has now as known."""
from __future__ import annotations

import click

from .common import config_or_exit, require_kb, root_argument


@click.command("baseline")
@root_argument
def command(root):
    """Record today's problems as known (.kbgen-baseline.json): validate and
    build report them and pass; a new problem fails. Problems that guard
    readers (internal content, secrets, unsafe HTML or links) are never
    recorded. Run it again after fixing some, to keep the list short."""
    from ..diagnostics import baseline
    from ..diagnostics.suppress import Texts
    from ..validate import validate_config
    cfg = config_or_exit(root)
    require_kb(cfg, "baseline", need_config=True)
    kb, report = validate_config(cfg, known=False)
    recorded, left = baseline.write(cfg.root, report, Texts(kb))
    click.echo(f"Wrote {baseline.BASELINE}: {recorded} known problem{'s' if recorded != 1 else ''}.")
    if left:
        click.echo(f"{left} problem{'s' if left != 1 else ''} that guard readers (audience, secrets, unsafe HTML "
                   "or links, unreadable files) are never known: `kbgen validate` shows them.")
