"""pakta: render, sign and verify Indonesian election integrity pacts."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("pakta")
except PackageNotFoundError:  # running from a source tree without an install
    __version__ = "0.0.0+source"
