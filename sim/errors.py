"""Errors the user can act on.

Every problem with the user's input (a config file, a ``--set`` override, a
command-line argument) is raised as :class:`ConfigError`, which names the
field and what is allowed. The command line prints it as one line and exits
with status 2; Python callers can catch it.
"""

from __future__ import annotations


class ConfigError(ValueError):
    """Invalid user input, reported as ``field: what is allowed``.

    Attributes:
        field: Dotted path of the offending field (``behaviour.noise``), or the
            name of the file or argument when no field applies.
        message: What is wrong and what is allowed, in one sentence.
    """

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        self.message = message
        super().__init__(f"{field}: {message}" if field else message)


class InstitutionAbsentError(ConfigError):
    """A parameter was set for an institution that the design does not have.

    Setting ``design.institutions.<name>.<param>`` never adds the institution:
    that would change the design silently. Add it explicitly by setting
    ``design.institutions.<name>`` to a mapping. ``sim compare`` catches this
    error to apply such a ``--set`` only to the designs that have the institution.

    Attributes:
        institution: The registered name of the missing institution.
    """

    def __init__(self, field: str, message: str, institution: str) -> None:
        self.institution = institution
        super().__init__(field, message)
