"""Scenario modules: each names its cases and builds their inputs.

A scenario module exposes ``files() -> Iterable[FileSpec]``. Hand-picked cases
state their expectation (derived by hand from the seed) and generation stops
if the model disagrees; generated cases draw inputs from the public Hypothesis
strategies with a fixed derandomized seed, so ``lash-spec fill`` is
reproducible byte for byte (with the pinned Hypothesis version).
"""
