"""JSON Schemas (draft 2020-12), generated from the codec's shapes.

Written once, from the same source as the codec: every wire type's schema
describes the *canonical* form serde writes (struct fields by name, tags as
strings); serde also accepts other spellings on read (arrays for structs, …),
which ``decode:TYPE`` cases probe and no schema constrains. Custom shapes may
provide ``json_schema(defs)``; otherwise they are described as any JSON.

The corpus schemas (file, index, body kinds) are fixed documents here too, so
``lash-spec fill`` writes everything in ``conformance/schema/`` and ``--check``
keeps it current.
"""

from __future__ import annotations

from typing import Any

from lash_spec.wire.codec import (
    BoolShape,
    BytesShape,
    EnumShape,
    EraSlotShape,
    FloatShape,
    IntShape,
    ListShape,
    MapShape,
    NullShape,
    OptionShape,
    ResultShape,
    Shape,
    StrShape,
    StructShape,
    TupleShape,
    UnitEnumShape,
    ValueShape,
    shape_of,
)

__all__ = ["SCHEMA_DIALECT", "all_schemas", "corpus_schemas"]

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
BASE = "https://lash-spec.invalid/schema/"


class _Builder:
    def __init__(self) -> None:
        self.defs: dict[str, Any] = {}
        self._owners: dict[str, Shape] = {}

    def ref(self, name: str) -> dict[str, Any]:
        return {"$ref": f"wire-types.schema.json#/$defs/{name}"}

    def named(self, shape: Shape, name: str, build: Any) -> dict[str, Any]:
        cls = getattr(shape, "cls", None) or getattr(shape, "base", None)
        era = getattr(cls, "__dict__", {}).get("__era__")
        if era is not None:  # each form of an era-split type has its own def
            name = f"{name}@{era}"
        owner = self._owners.get(name)
        if owner is not None and owner is not shape:
            # Two Python types share a Rust name (e.g. SessionEventRecord<()>
            # and SessionEventRecord<ProtocolEvent>): the later one is named
            # after its Python class.
            name = getattr(
                getattr(shape, "cls", None) or getattr(shape, "base", None), "__name__", name
            )
            owner = self._owners.get(name)
        if owner is None:
            self._owners[name] = shape
            self.defs[name] = {}  # placeholder: recursion resolves through $ref
            self.defs[name] = build()
        return self.ref(name)

    def of(self, shape: Shape) -> dict[str, Any]:
        custom = getattr(shape, "json_schema", None)
        if custom is not None:
            result: dict[str, Any] = custom(self)
            return result
        if isinstance(shape, StrShape):
            return {"type": "string"}
        if isinstance(shape, BoolShape):
            return {"type": "boolean"}
        if isinstance(shape, IntShape):
            return {"type": "integer", "minimum": shape.rng.lo, "maximum": shape.rng.hi}
        if isinstance(shape, FloatShape):
            return {"type": ["number", "null"]}  # NaN/inf are written as null
        if isinstance(shape, ValueShape):
            return {}
        if isinstance(shape, NullShape):
            return {"type": "null"}
        if isinstance(shape, OptionShape):
            return {"anyOf": [self.of(shape.inner), {"type": "null"}]}
        if isinstance(shape, ListShape):
            return {"type": "array", "items": self.of(shape.inner)}
        if isinstance(shape, BytesShape):
            return {"type": "array", "items": {"type": "integer", "minimum": 0, "maximum": 255}}
        if isinstance(shape, TupleShape):
            n = len(shape.items)
            return {
                "type": "array",
                "prefixItems": [self.of(s) for s in shape.items],
                "minItems": n,
                "maxItems": n,
            }
        if isinstance(shape, MapShape):
            return {"type": "object", "additionalProperties": self.of(shape.inner)}
        if isinstance(shape, ResultShape):
            return {"oneOf": [_single("Ok", self.of(shape.ok)), _single("Err", self.of(shape.err))]}
        if isinstance(shape, UnitEnumShape):
            return self.named(
                shape,
                shape.cls.__name__,
                lambda: {"enum": [m.value for m in shape.cls]},
            )
        # $defs are keyed by Python class name: two Python types may share a
        # Rust name (SessionEventRecord<()> and SessionEventRecord<ProtocolEvent>);
        # each schema's "title" gives the Rust name.
        if isinstance(shape, StructShape):
            return self.named(shape, shape.cls.__name__, lambda: self.struct(shape))
        if isinstance(shape, EnumShape):
            return self.named(shape, shape.base.__name__, lambda: self.enum(shape))
        if isinstance(shape, EraSlotShape):
            return {
                "description": "era-split: the form of the case's era",
                "anyOf": [self.of(shape_of(form)) for form in shape.forms.values()],
            }
        return {"description": f"{type(shape).__name__}: any JSON the codec accepts"}

    def struct(self, shape: StructShape, tag: tuple[str, str] | None = None) -> dict[str, Any]:
        props: dict[str, Any] = {}
        required: list[str] = []
        flat: list[dict[str, Any]] = []
        if tag is not None:
            props[tag[0]] = {"const": tag[1]}
            required.append(tag[0])
        for f in shape.fields:
            if f.flatten:
                flat.append(self.of(f.shape))
                continue
            props[f.wire] = self.of(f.shape)
            if f.hashmap:
                props[f.wire] = {
                    **props[f.wire],
                    "description": "a Rust HashMap: upstream writes its entries in a"
                    " per-process random order (lash_spec writes them sorted)",
                }
            if not (f.has_default or f.shape.optional):
                required.append(f.wire)
        out: dict[str, Any] = {"type": "object", "properties": props, "required": required}
        if shape.deny_unknown:
            out["additionalProperties"] = False
        if flat:
            out = {"allOf": [out, *flat]}
        out["title"] = shape.rust_name
        return out

    def enum(self, shape: EnumShape) -> dict[str, Any]:
        style = shape.tagging.style
        options: list[dict[str, Any]] = []
        for v in shape.variants:
            if style == "internal":
                tag = shape.tagging.tag
                assert tag is not None
                if v.kind == "newtype":
                    options.append(
                        {
                            "allOf": [
                                {"type": "object", "properties": {tag: {"const": v.name}}},
                                self.of(v.inner),
                            ],
                            "required": [tag],
                        }
                    )
                else:
                    options.append(self.struct(v.body, (tag, v.name)))
            elif style == "adjacent":
                tag, content = shape.tagging.tag, shape.tagging.content
                assert tag is not None and content is not None
                option: dict[str, Any] = {
                    "type": "object",
                    "properties": {tag: {"const": v.name}},
                    "required": [tag],
                }
                if v.kind != "unit":
                    option["properties"][content] = self._payload(v)
                    option["required"].append(content)
                options.append(option)
            elif v.kind == "unit":
                options.append({"const": v.name})
            else:
                options.append(_single(v.name, self._payload(v)))
        return {"title": shape.rust_name, "oneOf": options}

    def _payload(self, v: Any) -> dict[str, Any]:
        if v.kind == "newtype":
            return self.of(v.inner)
        if v.kind == "tuple":
            return self.of(TupleShape([f.shape for f in v.body.fields]))
        return self.struct(v.body)


def _single(key: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {key: schema},
        "required": [key],
        "additionalProperties": False,
    }


def _wire_doc(builder: _Builder) -> dict[str, Any]:
    return {
        "$schema": SCHEMA_DIALECT,
        "$id": BASE + "wire-types.schema.json",
        "title": "lash wire types (serde JSON forms)",
        "$defs": dict(sorted(builder.defs.items())),
    }


def _forms_of(rust_name: str) -> list[Any]:
    """The distinct Python types of ``rust_name`` across the eras."""
    from lash_spec.conformance.ops import wire_type_at
    from lash_spec.eras import era_names

    forms: list[Any] = []
    for era in era_names():
        tp = wire_type_at(rust_name, era)
        if tp is not None and all(tp is not f for f in forms):
            forms.append(tp)
    return forms


def _op_doc(builder: _Builder, ops: dict[str, Any]) -> dict[str, Any]:
    """Call-case bodies, with each op's argument and result types checked."""
    branches = []
    for name, op in sorted(ops.items()):
        if name.startswith("decode:"):
            args: list[dict[str, Any]] = [{}]  # decode cases probe non-canonical input
        else:
            args = [{} if _raw(t) else builder.of(shape_of(t)) for t in op.args]
        result = builder.of(shape_of(op.result))
        if name.startswith(("decode:", "decode_text:")):  # the type's form at each era
            forms = _forms_of(name.split(":", 1)[1])
            if len(forms) > 1:
                result = {"anyOf": [builder.of(shape_of(tp)) for tp in forms]}
        # ok_any only where the result may depend on HashMap order.
        any_of: Any = {"items": result} if op.order_dependent else False
        branches.append(
            {
                "if": {"properties": {"call": {"const": name}}, "required": ["call"]},
                "then": {
                    "properties": {
                        "args": {
                            "prefixItems": args,
                            "minItems": len(args),
                            "maxItems": len(args),
                        },
                        "ok": result,
                        "ok_any": any_of,
                    }
                },
            }
        )
    return {
        "$schema": SCHEMA_DIALECT,
        "$id": BASE + "call-case.schema.json",
        "title": "call case body (docs/case-bodies.md, Call case)",
        "type": "object",
        "properties": {
            "call": {"type": "string"},
            "args": {"type": "array"},
            "ok": {},
            "ok_any": {"type": "array", "minItems": 1},
            "err": {
                "type": "object",
                "properties": {"code": {"type": "string"}},
                "required": ["code"],
            },
        },
        "required": ["call", "args"],
        "oneOf": [{"required": ["ok"]}, {"required": ["ok_any"]}, {"required": ["err"]}],
        "allOf": branches,
    }


def all_schemas() -> dict[str, dict[str, Any]]:
    """Every schema document of ``conformance/schema/``, by file name."""
    from lash_spec.conformance.ops import registry, wire_types
    from lash_spec.eras import era_names

    builder = _Builder()
    call_doc = _op_doc(builder, registry())
    for era in era_names():
        for name, tp in sorted(wire_types(era).items()):
            schema = builder.of(shape_of(tp))
            if "$ref" not in schema:
                builder.defs.setdefault(name, schema)
    docs = corpus_schemas()
    docs["call-case.schema.json"] = call_doc
    docs["wire-types.schema.json"] = _wire_doc(builder)
    return docs


def _raw(tp: Any) -> bool:
    from lash_spec.conformance.ops import RAW

    return tp is RAW


def corpus_schemas() -> dict[str, dict[str, Any]]:
    """The fixed corpus document schemas: file, index and turn-trace body."""
    from lash_spec.eras import era_names

    case = {
        "type": "object",
        "properties": {
            "id": {"type": "string", "minLength": 1},
            "description": {"type": "string"},
            "kind": {"enum": ["call", "turn_trace", "run_admission", "unknown"]},
            "eras": {
                "description": "the upstream eras at which the case holds (docs/eras.md)",
                "type": "array",
                "items": {"enum": list(era_names())},
                "minItems": 1,
                "uniqueItems": True,
            },
            "hash": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
            "body": {"type": "object"},
        },
        "required": ["id", "description", "kind", "eras", "hash", "body"],
        "additionalProperties": False,
        "allOf": [
            {
                "if": {"properties": {"kind": {"const": "call"}}},
                "then": {"properties": {"body": {"$ref": "call-case.schema.json"}}},
            },
            {
                "if": {"properties": {"kind": {"const": "turn_trace"}}},
                "then": {"properties": {"body": {"$ref": "turn-trace.schema.json"}}},
            },
            {
                "if": {"properties": {"kind": {"const": "run_admission"}}},
                "then": {"properties": {"body": {"$ref": "run-admission-scenario.schema.json"}}},
            },
        ],
    }
    file_schema = {
        "$schema": SCHEMA_DIALECT,
        "$id": BASE + "corpus-file.schema.json",
        "title": "lash_spec corpus file",
        "type": "object",
        "properties": {
            "format": {"const": "lash-spec-corpus/1"},
            "id": {"type": "string"},
            "seed": {"type": "string", "pattern": "^[0-9]{3}$"},
            "concept": {"type": "string"},
            "description": {"type": "string"},
            "cases": {"type": "array", "items": case},
        },
        "required": ["format", "id", "seed", "concept", "description", "cases"],
        "additionalProperties": False,
    }
    index_schema = {
        "$schema": SCHEMA_DIALECT,
        "$id": BASE + "index.schema.json",
        "title": "lash_spec corpus index",
        "type": "object",
        "properties": {
            "format": {"const": "lash-spec-corpus/1"},
            "total_cases": {"type": "integer", "minimum": 0},
            "files": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "path": {"type": "string"},
                        "seed": {"type": "string"},
                        "concept": {"type": "string"},
                        "cases": {"type": "integer", "minimum": 0},
                        "sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
                    },
                    "required": ["path", "seed", "concept", "cases", "sha256"],
                    "additionalProperties": False,
                },
            },
        },
        "required": ["format", "total_cases", "files"],
        "additionalProperties": False,
    }
    step = {
        "oneOf": [
            _single("poll", {}),
            _single("respond", {"type": "object"}),
            _single("checkpoint", {"$ref": "wire-types.schema.json#/$defs/TurnCheckpoint"}),
            _single("restore", {"const": True}),
            _single("done", {"type": "boolean"}),
        ]
    }
    queue = {"type": "array", "items": {"type": "array"}}
    trace_schema = {
        "$schema": SCHEMA_DIALECT,
        "$id": BASE + "turn-trace.schema.json",
        "title": "turn trace body (docs/case-bodies.md, Turn trace)",
        "type": "object",
        "properties": {
            "config": {"type": "object"},
            "start": {
                "type": "object",
                "properties": {
                    "messages": {"type": "array"},
                    "events": {"type": "array"},
                    "protocol_run_offset": {"type": "integer", "minimum": 0},
                    "turn_causes": {"type": "array"},
                },
                "required": ["messages", "events", "protocol_run_offset"],
            },
            "driver": {
                "type": "object",
                "properties": {
                    name: queue
                    for name in (
                        "prepare_protocol_iteration",
                        "handle_llm_success",
                        "handle_tool_results",
                        "handle_exec_result",
                    )
                },
                "additionalProperties": False,
            },
            "steps": {"type": "array", "items": step},
        },
        "required": ["config", "start", "steps"],
        "additionalProperties": False,
    }
    return {
        "corpus-file.schema.json": file_schema,
        "index.schema.json": index_schema,
        "turn-trace.schema.json": trace_schema,
    }
