"""`kbgen adopt`: read an existing runbook repository and write the kbgen
configuration that publishes it as it is (docs/adopting.md).

detect() looks at the files and returns an Adoption: the plugin options (the
conventions), what it counted and what it could not map. write() writes the
plan as a new config file; no existing file is changed or moved."""
from .detect import Adoption, detect
from .write import config_text, write

__all__ = ["Adoption", "detect", "write", "config_text"]
