"""PRV-012: no kms:Decrypt / kms:ReEncryptFrom on every key."""
from __future__ import annotations

from collections.abc import Iterator

from generator.analysis.catalog import catalog
from generator.rules.base import PrincipalRule
from generator.rules.context import PrincipalView

_ACTIONS = ("kms:decrypt", "kms:reencryptfrom")


class KmsDecryptAllKeys(PrincipalRule):
    id = "PRV-012"
    title = "No KMS decrypt on all keys"
    grade = "MED"
    rationale = "Decrypt on every key undoes the separation KMS key policies and grants are meant to provide."
    remediation = "Name the key ARNs, or constrain with kms:ViaService / kms:EncryptionContext."
    references = ("AWS Security Hub KMS.1, KMS.2",)

    def check_principal(self, principal: PrincipalView) -> Iterator[tuple[str, str]]:
        for action in _ACTIONS:
            for grant in principal.permissions.grants(action):
                narrowed = any(c.key_lower.startswith(("kms:viaservice", "kms:encryptioncontext"))
                               for c in grant.statement.conditions)
                if grant.unscoped and not narrowed:
                    yield (principal.where(grant.source, grant.statement, grant.statement.resource_key),
                           f"{grant.location} allows {catalog().display(action)} on every KMS key")
