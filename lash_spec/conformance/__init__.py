"""Conformance: run case bodies (docs/case-bodies.md) against the model."""

from lash_spec.conformance.check import CaseResult, check_case

__all__ = ["CaseResult", "check_case"]
