"""Ops of seed 004 (run admission): the pure functions with serde arguments.

Only ``policy_denial_message`` qualifies: the rest of the seed is the stateful
run registry, checked by run-admission scenarios
(:mod:`lash_spec.conformance.scenario`), and ``missing_port_error`` returns an
``AgentError`` whose full serde form lash_spec does not model.
"""

from __future__ import annotations

from typing import Any

from lash_spec.conformance.ops import RAW, Op
from lash_spec.conformance.scenario import read_decision
from lash_spec.model.runs import policy_denial_message
from lash_spec.wire.errors import WireError


def _policy_denial_message(decision: Any) -> str:
    try:
        parsed = read_decision(decision)
    except WireError as err:
        raise err.at("args", 0) from None
    return policy_denial_message(parsed)


OPS = [
    Op(
        name="policy_denial_message",
        args=(RAW,),
        fn=_policy_denial_message,
        result=str,
        seed="004",
        concept="run_admission",
        errors=("decode",),
        doc="the message of a run-start policy denial, by PolicyDecision variant "
        "(the argument is read as scenario DECISION: variant and reason code)",
    ),
]
