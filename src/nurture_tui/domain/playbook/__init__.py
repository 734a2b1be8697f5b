"""The playbook: rules from the seeds that suggest the next action, and guardrails that warn.

Pure and deterministic: the same records, playbook and ``today`` always give the same answer.
"""
