"""Map transcript speaker labels to ``vcse_modes.ROLES``.

Precedence, highest first:

1. the caller's ``roles`` mapping (keys match labels case-insensitively),
2. roles declared in the transcript itself (``R1 role: vcse`` header lines,
   ``Respondent (VCSE chief executive)``),
3. interviewer labels (``Interviewer``, ``Int``, ``I``, ``Q`` ...) and names declared as
   interviewers in a header (``Interviewer: Jane Smith``),
4. a participant role declared for every interviewee (``Participant role: commissioner``),
5. ``default_role``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache

from vcse_modes import ROLES
from vcse_modes.errors import DataError

INTERVIEWER_BASES = frozenset(
    {"interviewer", "int", "i", "q", "iv", "facilitator", "moderator", "researcher", "question"}
)
PARTICIPANT_BASES = frozenset(
    {"interviewee", "respondent", "participant", "resp", "r", "a", "p", "answer", "speaker"}
)

_TRAILING_NUMBER = re.compile(r"\s*\d+$")
_SPACES = re.compile(r"\s+")

_COMMISSIONER = re.compile(r"\bcommissioner|\bcommissioning\b", re.IGNORECASE)
_VCSE = re.compile(
    r"\bvcse\b|\bvcs\b|\bvcfse\b|voluntary|\bcharit|\bcommunity (?:group|organi[sz]ation|sector)"
    r"|social enterprise|\bhospice|third sector|\bcvs\b|not[- ]for[- ]profit|non[- ]profit|\bcic\b",
    re.IGNORECASE,
)
_COMMISSIONER_ORG = re.compile(
    r"\bicb\b|\bccg\b|\bcouncil\b|local authority|integrated care|\bnhs england\b|procurement|"
    r"contract manager|public health",
    re.IGNORECASE,
)
_INTERVIEWER = re.compile(r"\binterviewer\b|\bresearcher\b|\bfacilitator\b|\bmoderator\b", re.IGNORECASE)


@lru_cache(maxsize=4096)
def label_key(label: str) -> str:
    """Case- and space-insensitive key for a speaker label."""
    return _SPACES.sub(" ", label.strip()).lower()


@lru_cache(maxsize=4096)
def label_base(label: str) -> str:
    """The label without a trailing number: ``"R2"`` -> ``"r"``, ``"Respondent 1"`` -> ``"respondent"``."""
    return _TRAILING_NUMBER.sub("", label_key(label))


@lru_cache(maxsize=4096)
def is_interviewer_label(label: str) -> bool:
    """True for generic interviewer labels (``Interviewer``, ``Int``, ``I``, ``Q``, ``I2`` ...)."""
    return label_base(label) in INTERVIEWER_BASES


@lru_cache(maxsize=4096)
def is_generic_label(label: str) -> bool:
    """True for generic (not personal-name) speaker labels."""
    base = label_base(label)
    return base in INTERVIEWER_BASES or base in PARTICIPANT_BASES


def role_from_description(text: str) -> str | None:
    """Guess a role from a free-text description such as ``"VCSE chief executive"``.

    Returns
    -------
    str or None
        One of ``vcse_modes.ROLES``, or None if the text names no recognisable role.
    """
    cleaned = text.strip().strip(".").strip().lower()
    if cleaned in ROLES:
        return cleaned
    if _COMMISSIONER.search(text):
        return "commissioner"
    if _VCSE.search(text):
        return "vcse"
    if _COMMISSIONER_ORG.search(text):
        return "commissioner"
    if _INTERVIEWER.search(text):
        return "interviewer"
    return None


def validate_roles(roles: Mapping[str, str] | None, default_role: str) -> dict[str, str]:
    """Check the caller's roles and return them keyed by :func:`label_key`.

    Raises
    ------
    DataError
        A role (or ``default_role``) is not one of ``vcse_modes.ROLES``.
    """
    if default_role not in ROLES:
        raise DataError(f"default_role {default_role!r} is not one of {', '.join(ROLES)}")
    checked: dict[str, str] = {}
    for label, role in (roles or {}).items():
        value = str(role).strip().lower()
        if value not in ROLES:
            raise DataError(f"role {role!r} for speaker {label!r} is not one of {', '.join(ROLES)}")
        checked[label_key(str(label))] = value
    return checked


@dataclass
class RoleResolver:
    """Resolve a label to a role (see the module docstring for the precedence)."""

    user_roles: dict[str, str]
    default_role: str = "unknown"
    declared: dict[str, str] = field(default_factory=dict)
    interviewer_names: set[str] = field(default_factory=set)
    participant_role: str | None = None

    def declare(self, label: str, role: str) -> None:
        """Record a role stated in the transcript (first declaration wins)."""
        self.declared.setdefault(label_key(label), role)

    def role(self, label: str | None) -> str:
        """The role for ``label`` (``default_role`` for None)."""
        if label is None:
            return self.default_role
        key = label_key(label)
        if key in self.user_roles:
            return self.user_roles[key]
        if key in self.declared:
            return self.declared[key]
        if key in self.interviewer_names or is_interviewer_label(label):
            return "interviewer"
        if self.participant_role is not None:
            return self.participant_role
        return self.default_role
