"""cloudsplaining's privilege-escalation check on documents read from stdin, as JSON on stdout.

Run by :mod:`benchmarks.pathfinding_recall` with another venv's Python (``.venv-peers``, which
holds the current cloudsplaining; checkov keeps the development venv's below 0.8), so it imports
nothing of iamforge or of the benchmarks: ``{"<id>": <policy document>, ...}`` in, and
``{"version": ..., "seconds": ..., "found": {"<id>": [<method>, ...]}}`` out.
"""
import json
import sys
import time
from importlib.metadata import version


def main() -> None:
    from cloudsplaining.scan.policy_document import PolicyDocument

    documents = json.load(sys.stdin)
    start = time.perf_counter()
    found = {pid: [e["type"] for e in PolicyDocument(doc).allows_privilege_escalation]
             for pid, doc in documents.items()}
    json.dump({"version": version("cloudsplaining"), "seconds": time.perf_counter() - start, "found": found},
              sys.stdout)


if __name__ == "__main__":
    main()
