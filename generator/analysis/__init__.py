"""IAM analysis: the action catalogue, policy documents, effective permissions, escalation paths."""
