"""vcse-modes: measure modes of commissioning VCSE organisations in NHS and council text.

Importing the package is cheap: heavy libraries (spaCy, scikit-learn) load only when a
pipeline stage needs them, so ``vcse-modes --help`` stays fast.
"""

__version__ = "0.1.0"

MODES = ("commodified", "collaborative", "mixed", "neither")
MEDIA = (
    "managerial_techniques",
    "negotiated_order",
    "discursive_control",
    "resource_dependencies",
    "provider_competition",
    "juridical_control",
)
ROLES = ("interviewer", "commissioner", "vcse", "other", "unknown")
