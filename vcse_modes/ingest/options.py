"""The settings one ingest call passes to its reader."""

from __future__ import annotations

from dataclasses import dataclass, field

from vcse_modes.ingest.roles import RoleResolver


@dataclass(frozen=True)
class Options:
    """Per-call reader settings.

    Attributes
    ----------
    path:
        The file name as given (used in messages and ``Document.path``).
    user_roles:
        The caller's speaker roles, keyed by :func:`vcse_modes.ingest.roles.label_key`.
    default_role:
        Role for speakers nothing else identifies.
    include_comments:
        Keep reviewer comments (DOCX, ODT).
    """

    path: str
    user_roles: dict[str, str] = field(default_factory=dict)
    default_role: str = "unknown"
    include_comments: bool = False

    def resolver(self) -> RoleResolver:
        """A fresh role resolver for one document."""
        return RoleResolver(user_roles=dict(self.user_roles), default_role=self.default_role)
