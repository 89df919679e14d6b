"""IDC rules: people through IAM Identity Center (permission sets, assignments, ABAC attributes)."""
