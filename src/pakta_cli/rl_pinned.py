"""ReportLab's settings as ReportLab ships them, whatever this machine says.

A rendering must not depend on the machine, or `verify`, which re-renders every pact, fails honest
pacts on an auditor's computer. ReportLab takes any of its settings from an `RL_<name>` environment
variable, a `reportlab_settings` module on the path or a `~/.reportlab_settings` file, and several of
its modules copy a setting when they are imported (`paraFontSizeHeightOffset=0` or
`spaceShrinkage=0.2` in the settings file gave other bytes). So this module is imported before any
other ReportLab module in pakta (`tests/test_module_layout.py` holds every module to that), and puts
each setting back to the default ReportLab ships, then sets the few pakta relies on.
"""

from __future__ import annotations

from reportlab import rl_config, rl_settings
from reportlab.lib import pagesizes


def _shipped(name: str) -> object:
    """A setting's shipped default, converted as ReportLab converts what it reads."""
    value = getattr(rl_settings, name)
    if name == "defaultPageSize" and isinstance(value, str):
        return getattr(pagesizes, value)
    if name.endswith("Glob"):
        return value.split() if isinstance(value, str) else list(value or [])
    if name in ("trustedHosts", "trustedSchemes") and isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


for _name in rl_settings.__all__:
    if not _name.endswith("SearchPath") and hasattr(rl_config, _name):  # where fonts are looked for: none here
        setattr(rl_config, _name, _shipped(_name))
rl_config.invariant = 1  # fixed dates and document ids
rl_config.pageCompression = 1
# Page content is deflated only: ASCII85 on top (ReportLab's default) makes it a quarter larger and gains
# nothing in a binary-safe PDF.
rl_config.useA85 = 0
