"""iamforge: validate an AWS account's identity baseline and generate Terraform for it."""
from __future__ import annotations

__version__ = "0.1.0"
