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
