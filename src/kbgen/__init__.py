from importlib.metadata import version as _v

try:
    __version__ = _v("kbgen")
except Exception:  # running from a source tree without install
    __version__ = "0.0.0"

