"""Where a community comes from: a preset name, a community YAML file or a table.

``sim compare --community VALUE`` (and any caller that lets a user name a
community) passes VALUE through :func:`resolve_community`, which returns what
``Scenario.override({"community": ...})`` accepts: a preset name or a mapping.
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any

from sim.errors import ConfigError


def resolve_community(value: str, field: str = "--community") -> str | dict[str, Any]:
    """Return a community preset name or the mapping of a community file.

    Args:
        value: A preset name (``heping_road``) or the path of a community YAML file.
        field: The option or field named in errors.

    Returns:
        The preset name, or the validated-later mapping read from the file.

    Raises:
        ConfigError: For an unknown preset (naming the nearest one) or a file that
            is not a community.
    """
    from sim.config import preset_names, read_yaml

    path = Path(value)
    if path.suffix.lower() in {".yaml", ".yml"} or path.is_file():
        data = read_yaml(path, field)
        kind = data.get("kind", "community")
        if kind != "community":
            raise ConfigError(field, f"{value} is a {kind} file, not a community (kind: "
                                     "community)")
        data = {key: val for key, val in data.items() if key != "kind"}
        data.setdefault("name", path.stem)
        return data
    communities = preset_names("communities")
    if value in communities:
        return value
    near = difflib.get_close_matches(value, communities, n=1, cutoff=0.6)
    hint = f"; did you mean '{near[0]}'?" if near else ""
    raise ConfigError(field, f"unknown community '{value}'{hint} (presets: "
                             f"{', '.join(communities)}; or a community YAML file)")
