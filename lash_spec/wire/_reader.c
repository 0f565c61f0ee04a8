/* The compiled reader: serde_json text -> model objects, in one pass.
 *
 * It interprets *read plans* built in Python by lash_spec/wire/readplan.py
 * from the codec's Shapes; it knows nothing about lash's types, only how to
 * read JSON text as a plan says, as serde's derived Deserialize reads it
 * (straight into the typed value, no intermediate JSON tree).
 *
 * It is an accelerator, never a second specification. It accepts only text
 * that is plainly valid for the plan: everything else -- any syntax error, a
 * repeated key, a missing required field, a lone surrogate, a value of the
 * wrong type, an integer out of range, nesting past DEPTH_LIMIT, a tag that is
 * not the first key, a struct given as an array, ... -- is *declined* (the
 * Fallback exception), and the caller runs the pure-Python reader and codec,
 * whose result or typed error is the answer. So every error a user sees comes
 * from the pure path, and this file only has to agree with it on what it
 * accepts. docs/dev/performance.md explains the design; readplan.py documents
 * every node.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <structmember.h>
#include <stdint.h>
#include <string.h>

/* Node kinds: keep in step with readplan.py. */
enum {
    D_STR = 0,       /* [0] */
    D_BOOL = 1,      /* [1] */
    D_INT = 2,       /* [2, lo, hi]: lo fits i64, 0 <= hi fits u64 */
    D_FLOAT = 3,     /* [3] */
    D_VALUE = 4,     /* [4]: serde_json::Value, objects sorted */
    D_NULL = 5,      /* [5] */
    D_OPTION = 6,    /* [6, inner] */
    D_LIST = 7,      /* [7, inner] -> tuple */
    D_MAP = 8,       /* [8, inner] -> dict, keys sorted */
    D_TUPLE = 9,     /* [9, (plans...)] -> tuple */
    D_UNIT_ENUM = 10, /* [10, (name bytes...), (members...)] */
    D_STRUCT = 11,   /* [11, ctor, (fields...), deny_unknown] */
    D_ENUM = 12,     /* [12, style, tag bytes, content bytes, (variants...)] */
    D_PY = 13,       /* [13, decode]: read a plain JSON value, then decode(value, content) */
    D_DECLINE = 14,  /* [14]: always left to the pure path */
};
/* ctor = (cls, direct, slot descriptors, kwnames)
 * field = (key bytes, plan, missing kind, missing value)
 * variant = (name bytes, kind, ctor, plan) */
enum { M_REQUIRED = 0, M_NONE = 1, M_VALUE = 2, M_FACTORY = 3 };
enum { S_EXTERNAL = 0, S_INTERNAL = 1, S_ADJACENT = 2 };
enum { V_UNIT = 0, V_NEWTYPE = 1, V_STRUCT = 2, V_DECLINE = 3 };

/* Containers nested this deep are left to the pure path (serde_json's limit is 128). */
#define DEPTH_LIMIT 100
#define MAX_FIELDS 64

static PyObject *Fallback;     /* "not handled here: use the pure path" */
static PyObject *NumberHook;   /* reader._number: serde's number for any other literal */
static PyObject *Unreadable;   /* reader.Unreadable: what NumberHook returns for 1e400 */

typedef struct {
    const unsigned char *p;
    const unsigned char *end;
    int depth;
    char *scratch; /* unescaped strings */
    Py_ssize_t scratch_cap;
} P;

static void *decline(const char *why) {
    PyErr_SetString(Fallback, why);
    return NULL;
}

static inline void ws(P *s) {
    while (s->p < s->end && (*s->p == ' ' || *s->p == '\n' || *s->p == '\r' || *s->p == '\t'))
        s->p++;
}

/* The next non-whitespace byte (0 at the end: never valid JSON there). */
static inline int peek(P *s) {
    ws(s);
    return s->p < s->end ? *s->p : 0;
}

static inline int eat(P *s, char c) {
    if (peek(s) != c) return 0;
    s->p++;
    return 1;
}

/* The literal `word` (true, false, null) as the next value: consumed when it is there. */
static inline int literal(P *s, const char *word, Py_ssize_t n) {
    if (peek(s) != word[0] || s->end - s->p < n || memcmp(s->p, word, (size_t)n) != 0) return 0;
    s->p += n;
    return 1;
}

static PyObject *parse_bool(P *s) {
    if (literal(s, "true", 4)) Py_RETURN_TRUE;
    if (literal(s, "false", 5)) Py_RETURN_FALSE;
    return decline("not a boolean");
}

static inline int enter(P *s) {
    if (++s->depth < DEPTH_LIMIT) return 0;
    decline("nested too deep");
    return -1;
}

static PyObject *parse(P *s, PyObject *plan, int content);
static PyObject *parse_any(P *s, int sorted);

/* -- strings ----------------------------------------------------------------- */

static int hex4(const unsigned char *q, unsigned *out) {
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        unsigned c = q[i], d;
        if (c >= '0' && c <= '9') d = c - '0';
        else if (c >= 'a' && c <= 'f') d = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F') d = c - 'A' + 10;
        else return -1;
        v = v * 16 + d;
    }
    *out = v;
    return 0;
}

static int scratch_room(P *s, Py_ssize_t need) {
    if (need <= s->scratch_cap) return 0;
    Py_ssize_t cap = s->scratch_cap ? s->scratch_cap : 256;
    while (cap < need) cap *= 2;
    char *data = PyMem_Realloc(s->scratch, (size_t)cap);
    if (!data) {
        PyErr_NoMemory();
        return -1;
    }
    s->scratch = data;
    s->scratch_cap = cap;
    return 0;
}

/* A string at s->p (the opening quote): its UTF-8 bytes, unescaped, in *out, *len
 * (pointing into the text when it holds no escape, else into the scratch
 * buffer); *ascii says whether every byte is ASCII. 0, or -1 (declined). */
static int string_bytes(P *s, const char **out, Py_ssize_t *len, int *ascii) {
    const unsigned char *q = s->p + 1, *end = s->end;
    int high = 0;
    const unsigned char *start = q;
    while (q < end && *q != '"' && *q != '\\') {
        if (*q < 0x20) return decline("control character in string"), -1;
        high |= *q & 0x80;
        q++;
    }
    if (q >= end) return decline("unterminated string"), -1;
    if (*q == '"') {
        *out = (const char *)start;
        *len = q - start;
        *ascii = !high;
        s->p = q + 1;
        return 0;
    }
    /* Escapes: copy into the scratch buffer (an escape never grows the text). */
    if (scratch_room(s, end - start) < 0) return -1;
    char *o = s->scratch;
    memcpy(o, start, (size_t)(q - start));
    o += q - start;
    while (1) {
        if (q >= end) return decline("unterminated string"), -1;
        unsigned char c = *q;
        if (c == '"') break;
        if (c < 0x20) return decline("control character in string"), -1;
        if (c != '\\') {
            high |= c & 0x80;
            *o++ = (char)c;
            q++;
            continue;
        }
        if (q + 1 >= end) return decline("unterminated string"), -1;
        c = q[1];
        q += 2;
        switch (c) {
        case '"': *o++ = '"'; break;
        case '\\': *o++ = '\\'; break;
        case '/': *o++ = '/'; break;
        case 'b': *o++ = '\b'; break;
        case 'f': *o++ = '\f'; break;
        case 'n': *o++ = '\n'; break;
        case 'r': *o++ = '\r'; break;
        case 't': *o++ = '\t'; break;
        case 'u': {
            unsigned cp;
            if (end - q < 4 || hex4(q, &cp) < 0) return decline("bad escape"), -1;
            q += 4;
            if (cp >= 0xDC00 && cp <= 0xDFFF) return decline("lone surrogate"), -1;
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                unsigned lo;
                if (end - q < 6 || q[0] != '\\' || q[1] != 'u' || hex4(q + 2, &lo) < 0 ||
                    lo < 0xDC00 || lo > 0xDFFF)
                    return decline("lone surrogate"), -1;
                q += 6;
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            }
            if (cp < 0x80) {
                *o++ = (char)cp;
            } else {
                high = 1;
                if (cp < 0x800) {
                    *o++ = (char)(0xC0 | (cp >> 6));
                } else {
                    if (cp < 0x10000) {
                        *o++ = (char)(0xE0 | (cp >> 12));
                    } else {
                        *o++ = (char)(0xF0 | (cp >> 18));
                        *o++ = (char)(0x80 | ((cp >> 12) & 0x3F));
                    }
                    *o++ = (char)(0x80 | ((cp >> 6) & 0x3F));
                }
                *o++ = (char)(0x80 | (cp & 0x3F));
            }
            break;
        }
        default: return decline("bad escape"), -1;
        }
    }
    *out = s->scratch;
    *len = o - s->scratch;
    *ascii = !high;
    s->p = q + 1;
    return 0;
}

static PyObject *make_str(const char *b, Py_ssize_t n, int ascii) {
    if (ascii) {
        PyObject *u = PyUnicode_New(n, 127);
        if (u) memcpy(PyUnicode_1BYTE_DATA(u), b, (size_t)n);
        return u;
    }
    return PyUnicode_DecodeUTF8(b, n, "strict");
}

/* A string as the next value, as string_bytes gives it (declined if it is something else). */
typedef struct {
    const char *b;
    Py_ssize_t n;
    int ascii;
} Str;

static int next_string(P *s, Str *out) {
    if (peek(s) != '"') return decline("not a string"), -1;
    return string_bytes(s, &out->b, &out->n, &out->ascii);
}

static PyObject *parse_str(P *s) {
    Str t;
    return next_string(s, &t) < 0 ? NULL : make_str(t.b, t.n, t.ascii);
}

/* -- numbers ----------------------------------------------------------------- */

typedef struct {
    int simple;   /* an integer literal serde keeps as i64/u64 (not -0) */
    int negative;
    uint64_t mag;
    const unsigned char *start;
    Py_ssize_t len;
} Num;

/* Scan a JSON number at s->p (syntax only; anything irregular declines). */
static int scan_number(P *s, Num *n) {
    const unsigned char *q = s->p, *end = s->end;
    n->start = q;
    n->negative = 0;
    n->mag = 0;
    n->simple = 1;
    if (q < end && *q == '-') {
        n->negative = 1;
        q++;
    }
    if (q >= end || *q < '0' || *q > '9') return decline("not a number"), -1;
    if (*q == '0') {
        q++;
    } else {
        while (q < end && *q >= '0' && *q <= '9') {
            unsigned d = *q - '0';
            if (n->mag > (UINT64_MAX - d) / 10) n->simple = 0;
            else n->mag = n->mag * 10 + d;
            q++;
        }
    }
    if (q < end && *q == '.') {
        n->simple = 0;
        q++;
        if (q >= end || *q < '0' || *q > '9') return decline("bad number"), -1;
        while (q < end && *q >= '0' && *q <= '9') q++;
    }
    if (q < end && (*q == 'e' || *q == 'E')) {
        n->simple = 0;
        q++;
        if (q < end && (*q == '+' || *q == '-')) q++;
        if (q >= end || *q < '0' || *q > '9') return decline("bad number"), -1;
        while (q < end && *q >= '0' && *q <= '9') q++;
    }
    if (n->negative && (n->mag == 0 || n->mag > (uint64_t)1 << 63)) n->simple = 0;
    n->len = q - n->start;
    s->p = q;
    return 0;
}

static PyObject *simple_int(const Num *n) {
    if (!n->negative) return PyLong_FromUnsignedLongLong(n->mag);
    if (n->mag == (uint64_t)1 << 63) return PyLong_FromLongLong(INT64_MIN);
    return PyLong_FromLongLong(-(long long)n->mag);
}

/* serde's number for a literal that is not a simple integer: the pure reader's own function. */
static PyObject *hook_number(const Num *n) {
    PyObject *lit = PyUnicode_FromStringAndSize((const char *)n->start, n->len);
    if (!lit) return NULL;
    PyObject *v = PyObject_CallOneArg(NumberHook, lit);
    Py_DECREF(lit);
    if (v && Py_TYPE(v) == (PyTypeObject *)Unreadable) {
        Py_DECREF(v);
        return decline("number out of range");
    }
    return v;
}

static PyObject *parse_int(P *s, PyObject *plan) {
    int c = peek(s);
    if (c != '-' && (c < '0' || c > '9')) return decline("not an integer");
    Num n;
    if (scan_number(s, &n) < 0) return NULL;
    if (!n.simple) return decline("not a plain integer");
    long long lo = PyLong_AsLongLong(PyList_GET_ITEM(plan, 1));
    unsigned long long hi = PyLong_AsUnsignedLongLong(PyList_GET_ITEM(plan, 2));
    if (PyErr_Occurred()) return NULL;
    if (n.negative) {
        /* -mag >= lo  <=>  mag <= -lo (lo < 0) */
        if (lo >= 0 || n.mag - 1 > (uint64_t)(-(lo + 1))) return decline("integer out of range");
    } else {
        if (n.mag > hi || (lo > 0 && n.mag < (uint64_t)lo)) return decline("integer out of range");
    }
    return simple_int(&n);
}

static PyObject *parse_float(P *s) {
    int c = peek(s);
    if (c != '-' && (c < '0' || c > '9')) return decline("not a number");
    Num n;
    if (scan_number(s, &n) < 0) return NULL;
    if (n.simple) {
        /* float(int) in Python and a C conversion both round to nearest. */
        double d = n.negative ? -(double)n.mag : (double)n.mag;
        if (n.negative && n.mag == (uint64_t)1 << 63) d = -9223372036854775808.0;
        return PyFloat_FromDouble(d);
    }
    PyObject *v = hook_number(&n);
    if (v && !PyFloat_CheckExact(v)) {
        /* an int from the hook: float(canonical_value(int)) is left to the pure path */
        Py_DECREF(v);
        return decline("not a float");
    }
    return v;
}

/* -- plain JSON values (Value, custom shapes, skipped fields) ------------------ */

static int sort_dict(PyObject **d) {
    /* json_value/MapShape build dicts in sorted key order: rebuild when not sorted. */
    Py_ssize_t n = PyDict_GET_SIZE(*d);
    if (n < 2) return 0;
    PyObject *keys = PyDict_Keys(*d);
    if (!keys) return -1;
    int in_order = 1;
    for (Py_ssize_t i = 1; i < n && in_order; i++) {
        int lt = PyUnicode_Compare(PyList_GET_ITEM(keys, i - 1), PyList_GET_ITEM(keys, i));
        if (lt == -1 && PyErr_Occurred()) {
            Py_DECREF(keys);
            return -1;
        }
        in_order = lt < 0;
    }
    if (in_order) {
        Py_DECREF(keys);
        return 0;
    }
    PyObject *out = PyDict_New();
    if (!out || PyList_Sort(keys) < 0) goto fail;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *k = PyList_GET_ITEM(keys, i);
        if (PyDict_SetItem(out, k, PyDict_GetItem(*d, k)) < 0) goto fail;
    }
    Py_DECREF(keys);
    Py_SETREF(*d, out);
    return 0;
fail:
    Py_XDECREF(out);
    Py_DECREF(keys);
    return -1;
}

static PyObject *parse_key(P *s) {
    if (peek(s) != '"') return decline("key is not a string");
    PyObject *k = parse_str(s);
    if (k && !eat(s, ':')) {
        Py_DECREF(k);
        return decline("expected ':'");
    }
    return k;
}

/* After a member: 1 (another follows), 0 (closed by `close`), -1 (declined). */
static int next_member(P *s, char close) {
    int c = peek(s);
    if (c == ',') {
        s->p++;
        return 1;
    }
    if (c == close) {
        s->p++;
        return 0;
    }
    decline("expected ',' or a closing bracket");
    return -1;
}

static PyObject *parse_any(P *s, int sorted) {
    int c = peek(s);
    if (c == '"') return parse_str(s);
    if (c == '{') {
        if (enter(s) < 0) return NULL;
        s->p++;
        PyObject *d = PyDict_New();
        if (!d) return NULL;
        if (!eat(s, '}')) {
            int more = 1;
            while (more == 1) {
                PyObject *k = parse_key(s);
                if (!k) goto dict_fail;
                PyObject *v = parse_any(s, sorted);
                if (!v) {
                    Py_DECREF(k);
                    goto dict_fail;
                }
                int dup = PyDict_Contains(d, k);
                int rc = dup ? -1 : PyDict_SetItem(d, k, v);
                Py_DECREF(k);
                Py_DECREF(v);
                if (dup > 0) decline("repeated key");
                if (rc < 0) goto dict_fail;
                more = next_member(s, '}');
            }
            if (more < 0) goto dict_fail;
        }
        s->depth--;
        if (sorted && sort_dict(&d) < 0) goto dict_fail;
        return d;
    dict_fail:
        Py_DECREF(d);
        return NULL;
    }
    if (c == '[') {
        if (enter(s) < 0) return NULL;
        s->p++;
        PyObject *l = PyList_New(0);
        if (!l) return NULL;
        if (!eat(s, ']')) {
            int more = 1;
            while (more == 1) {
                PyObject *v = parse_any(s, sorted);
                if (!v || PyList_Append(l, v) < 0) {
                    Py_XDECREF(v);
                    Py_DECREF(l);
                    return NULL;
                }
                Py_DECREF(v);
                more = next_member(s, ']');
            }
            if (more < 0) {
                Py_DECREF(l);
                return NULL;
            }
        }
        s->depth--;
        return l;
    }
    if (c == 't' || c == 'f') return parse_bool(s);
    if (literal(s, "null", 4)) Py_RETURN_NONE;
    if (c == '-' || (c >= '0' && c <= '9')) {
        Num n;
        if (scan_number(s, &n) < 0) return NULL;
        return n.simple ? simple_int(&n) : hook_number(&n);
    }
    return decline("not a JSON value");
}

/* -- skipping: what a plain struct does with an unknown field ------------------- */

/* Past a string at s->p (the opening quote), checked as serde_json's
 * ignore_value checks it: escapes well formed, no control character; a lone
 * surrogate escape is fine, as nothing decodes it. */
static int skip_string(P *s) {
    const unsigned char *q = s->p + 1, *end = s->end;
    while (q < end) {
        unsigned char c = *q;
        if (c == '"') {
            s->p = q + 1;
            return 0;
        }
        if (c < 0x20) break;
        if (c != '\\') {
            q++;
            continue;
        }
        if (q + 1 >= end) break;
        c = q[1];
        if (c == 'u') {
            unsigned cp;
            if (end - q < 6 || hex4(q + 2, &cp) < 0) break;
            q += 6;
        } else if (c == '"' || c == '\\' || c == '/' || c == 'b' || c == 'f' || c == 'n' ||
                   c == 'r' || c == 't') {
            q += 2;
        } else {
            break;
        }
    }
    decline("malformed string");
    return -1;
}

static int skip_key(P *s) {
    if (peek(s) != '"' || skip_string(s) < 0 || !eat(s, ':')) {
        if (!PyErr_Occurred()) decline("malformed key");
        return -1;
    }
    return 0;
}

/* Past one JSON value at s->p, checked for syntax only, at any depth (an
 * explicit stack, no recursion). Repeated keys, lone surrogate escapes,
 * numbers beyond f64 and deep nesting are all fine here: the pure path
 * conveys them, and a plain struct never looks at an unknown field. */
static int skip_value(P *s) {
    char small[64], *stack = small;
    Py_ssize_t depth = 0, cap = (Py_ssize_t)sizeof small;
    int rc = -1;
    for (;;) {
        int c = peek(s);
        if (c == '{' || c == '[') {
            s->p++;
            if (depth == cap) {
                char *grown = PyMem_Malloc((size_t)cap * 2);
                if (!grown) {
                    PyErr_NoMemory();
                    goto out;
                }
                memcpy(grown, stack, (size_t)cap);
                if (stack != small) PyMem_Free(stack);
                stack = grown;
                cap *= 2;
            }
            stack[depth++] = (char)c;
            if (eat(s, c == '{' ? '}' : ']')) {
                depth--;
            } else {
                if (c == '{' && skip_key(s) < 0) goto out;
                continue; /* the first member's value */
            }
        } else if (c == '"') {
            if (skip_string(s) < 0) goto out;
        } else if (c == 't' || c == 'f' || c == 'n') {
            if (!literal(s, "true", 4) && !literal(s, "false", 5) && !literal(s, "null", 4)) {
                decline("not a literal");
                goto out;
            }
        } else if (c == '-' || (c >= '0' && c <= '9')) {
            Num n;
            if (scan_number(s, &n) < 0) goto out;
        } else {
            decline("not a JSON value");
            goto out;
        }
        /* after a value: close containers, or pass a comma (and a key) */
        for (;;) {
            if (depth == 0) {
                rc = 0;
                goto out;
            }
            char open = stack[depth - 1];
            int d = peek(s);
            if (d == ',') {
                s->p++;
                if (open == '{' && skip_key(s) < 0) goto out;
                break; /* the next member's value */
            }
            if (d != (open == '{' ? '}' : ']')) {
                decline("expected ',' or a closing bracket");
                goto out;
            }
            s->p++;
            depth--;
        }
    }
out:
    if (stack != small) PyMem_Free(stack);
    return rc;
}

/* -- construction -------------------------------------------------------------- */

/* cls(**{kwnames[i]: values[i]}), stealing the values. A direct ctor fills
 * the instance's slots itself (an attrs class with a plain generated
 * __init__: no validator, converter or hook, every slot a field). */
static PyObject *construct(PyObject *ctor, PyObject **values, Py_ssize_t n) {
    PyObject *cls = PyTuple_GET_ITEM(ctor, 0);
    if (PyTuple_GET_ITEM(ctor, 1) == Py_True) {
        PyTypeObject *tp = (PyTypeObject *)cls;
        PyObject *obj = tp->tp_alloc(tp, 0);
        if (!obj) {
            for (Py_ssize_t i = 0; i < n; i++) Py_DECREF(values[i]);
            return NULL;
        }
        PyObject *slots = PyTuple_GET_ITEM(ctor, 2);
        for (Py_ssize_t i = 0; i < n; i++) {
            /* readplan checked: a member descriptor of an object slot (T_OBJECT_EX) */
            PyMemberDef *m = ((PyMemberDescrObject *)PyTuple_GET_ITEM(slots, i))->d_member;
            *(PyObject **)((char *)obj + m->offset) = values[i];
        }
        return obj;
    }
    PyObject *obj = PyObject_Vectorcall(cls, values, 0, n ? PyTuple_GET_ITEM(ctor, 3) : NULL);
    for (Py_ssize_t i = 0; i < n; i++) Py_DECREF(values[i]);
    return obj;
}

/* -- structs and enums -------------------------------------------------------- */

static inline int key_is(const char *b, Py_ssize_t n, PyObject *key) {
    return PyBytes_GET_SIZE(key) == n && memcmp(PyBytes_AS_STRING(key), b, (size_t)n) == 0;
}

/* The members of a struct's object from s->p (after '{', or after a member
 * already read: `first` says which), up to and including the '}'. A key
 * equal to `forbid` (an internal tag read already) is declined. */
static PyObject *struct_members(P *s, PyObject *plan, int content, int first, PyObject *forbid) {
    PyObject *ctor = PyList_GET_ITEM(plan, 1), *fields = PyList_GET_ITEM(plan, 2);
    int deny = PyList_GET_ITEM(plan, 3) == Py_True;
    Py_ssize_t n = PyTuple_GET_SIZE(fields);
    PyObject *values[MAX_FIELDS];
    if (n > MAX_FIELDS) return decline("too many fields");
    memset(values, 0, sizeof(PyObject *) * (size_t)n);
    Py_ssize_t hint = 0;
    int more;
    if (first) {
        more = peek(s) == '}' ? (s->p++, 0) : 1;
    } else {
        more = next_member(s, '}');
    }
    while (more == 1) {
        Str key;
        if (next_string(s, &key) < 0) goto fail;
        const char *kb = key.b;
        Py_ssize_t kn = key.n;
        if (!eat(s, ':')) {
            decline("expected ':'");
            goto fail;
        }
        Py_ssize_t found = -1;
        for (Py_ssize_t j = 0; j < n; j++) {
            Py_ssize_t i = (hint + j) % n;
            if (key_is(kb, kn, PyTuple_GET_ITEM(PyTuple_GET_ITEM(fields, i), 0))) {
                found = i;
                break;
            }
        }
        if (found >= 0) {
            if (values[found]) {
                decline("repeated field");
                goto fail;
            }
            PyObject *f = PyTuple_GET_ITEM(fields, found);
            values[found] = parse(s, PyTuple_GET_ITEM(f, 1), content);
            if (!values[found]) goto fail;
            hint = found + 1;
        } else {
            if (deny || (forbid && key_is(kb, kn, forbid))) {
                decline("unknown or repeated key");
                goto fail;
            }
            if (content) {
                /* serde's buffered content reads every value as a Value (`buffered`) */
                PyObject *skipped = parse_any(s, 0);
                if (!skipped) goto fail;
                Py_DECREF(skipped);
            } else if (skip_value(s) < 0) {
                goto fail;
            }
        }
        more = next_member(s, '}');
    }
    if (more < 0) goto fail;
    for (Py_ssize_t i = 0; i < n; i++) {
        if (values[i]) continue;
        PyObject *f = PyTuple_GET_ITEM(fields, i);
        switch (PyLong_AsLong(PyTuple_GET_ITEM(f, 2))) {
        case M_NONE: values[i] = Py_NewRef(Py_None); break;
        case M_VALUE: values[i] = Py_NewRef(PyTuple_GET_ITEM(f, 3)); break;
        case M_FACTORY: values[i] = PyObject_CallNoArgs(PyTuple_GET_ITEM(f, 3)); break;
        default: decline("missing field");
        }
        if (!values[i]) goto fail;
    }
    return construct(ctor, values, n);
fail:
    for (Py_ssize_t i = 0; i < n; i++) Py_XDECREF(values[i]);
    return NULL;
}

static PyObject *parse_struct(P *s, PyObject *plan, int content) {
    if (peek(s) != '{') return decline("not an object");
    if (enter(s) < 0) return NULL;
    s->p++;
    PyObject *r = struct_members(s, plan, content, 1, NULL);
    s->depth--;
    return r;
}

static PyObject *find_variant(PyObject *variants, const char *b, Py_ssize_t n) {
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(variants); i++) {
        PyObject *v = PyTuple_GET_ITEM(variants, i);
        if (key_is(b, n, PyTuple_GET_ITEM(v, 0))) return v;
    }
    return decline("unknown variant");
}

/* A variant's value from its payload at s->p. */
static PyObject *payload(P *s, PyObject *v, int content) {
    PyObject *ctor = PyTuple_GET_ITEM(v, 2);
    switch (PyLong_AsLong(PyTuple_GET_ITEM(v, 1))) {
    case V_UNIT:
        if (!literal(s, "null", 4)) return decline("unit variant with a payload");
        return construct(ctor, NULL, 0);
    case V_NEWTYPE: {
        PyObject *x = parse(s, PyTuple_GET_ITEM(v, 3), content);
        return x ? construct(ctor, &x, 1) : NULL;
    }
    case V_STRUCT: return parse_struct(s, PyTuple_GET_ITEM(v, 3), content);
    default: return decline("variant left to the pure path");
    }
}

/* The tag (a string) at s->p and its variant. */
static PyObject *tag_variant(P *s, PyObject *variants) {
    Str t;
    return next_string(s, &t) < 0 ? NULL : find_variant(variants, t.b, t.n);
}

/* Is the next key `key`? Consumes it (and the ':') when it is. */
static int next_key_is(P *s, PyObject *key) {
    const unsigned char *save = s->p;
    Str t;
    if (next_string(s, &t) < 0) {
        PyErr_Clear();
        s->p = save;
        return 0;
    }
    if (key_is(t.b, t.n, key) && eat(s, ':')) return 1;
    s->p = save;
    return 0;
}

static PyObject *parse_enum(P *s, PyObject *plan, int content) {
    long style = PyLong_AsLong(PyList_GET_ITEM(plan, 1));
    PyObject *tag = PyList_GET_ITEM(plan, 2), *body = PyList_GET_ITEM(plan, 3);
    PyObject *variants = PyList_GET_ITEM(plan, 4);
    int c = peek(s);
    if (style == S_EXTERNAL && c == '"') {
        PyObject *v = tag_variant(s, variants);
        if (!v) return NULL;
        if (PyLong_AsLong(PyTuple_GET_ITEM(v, 1)) != V_UNIT) return decline("not a unit variant");
        return construct(PyTuple_GET_ITEM(v, 2), NULL, 0);
    }
    if (c != '{') return decline("not an object");
    if (enter(s) < 0) return NULL;
    s->p++;
    PyObject *r = NULL;
    if (style == S_EXTERNAL) {
        PyObject *v = tag_variant(s, variants);
        if (!v || !eat(s, ':')) goto done;
        r = payload(s, v, content);
        if (r && !eat(s, '}')) Py_CLEAR(r);
    } else {
        if (!next_key_is(s, tag)) {
            decline("the tag is not the first key");
            goto done;
        }
        PyObject *v = tag_variant(s, variants);
        if (!v) goto done;
        long vkind = PyLong_AsLong(PyTuple_GET_ITEM(v, 1));
        if (style == S_INTERNAL) {
            /* The variant's fields follow the tag in the same object (serde buffers them). */
            if (vkind == V_STRUCT) {
                r = struct_members(s, PyTuple_GET_ITEM(v, 3), 1, 0, tag);
            } else if (vkind == V_NEWTYPE) {
                PyObject *inner = PyTuple_GET_ITEM(v, 3);
                if (PyList_GET_SIZE(inner) == 0 ||
                    PyLong_AsLong(PyList_GET_ITEM(inner, 0)) != D_STRUCT) {
                    decline("newtype variant over a non-struct");
                    goto done;
                }
                PyObject *x = struct_members(s, inner, 1, 0, tag);
                if (x) r = construct(PyTuple_GET_ITEM(v, 2), &x, 1);
            } else if (vkind == V_UNIT) {
                PyObject *empty = PyList_GET_ITEM(plan, 5); /* a struct plan without fields */
                PyObject *x = struct_members(s, empty, 1, 0, tag);
                if (x) {
                    Py_DECREF(x);
                    r = construct(PyTuple_GET_ITEM(v, 2), NULL, 0);
                }
            } else {
                decline("variant left to the pure path");
            }
        } else { /* adjacent: {"tag": name, "content": payload} in that order */
            int more = next_member(s, '}');
            if (more == 0) {
                if (vkind == V_UNIT) r = construct(PyTuple_GET_ITEM(v, 2), NULL, 0);
                else decline("missing content");
            } else if (more == 1) {
                if (!next_key_is(s, body)) {
                    decline("expected the content key");
                    goto done;
                }
                r = payload(s, v, content);
                if (r && !eat(s, '}')) Py_CLEAR(r);
            }
        }
    }
done:
    s->depth--;
    if (!r && !PyErr_Occurred()) decline("malformed enum");
    return r;
}

/* -- the plan interpreter ------------------------------------------------------ */

static PyObject *parse_inner(P *s, PyObject *plan, int content) {
    if (PyList_GET_SIZE(plan) == 0) return decline("unfinished plan");
    switch (PyLong_AsLong(PyList_GET_ITEM(plan, 0))) {
    case D_STR: return parse_str(s);
    case D_BOOL: return parse_bool(s);
    case D_INT: return parse_int(s, plan);
    case D_FLOAT: return parse_float(s);
    case D_VALUE: return parse_any(s, 1);
    case D_NULL:
        if (literal(s, "null", 4)) Py_RETURN_NONE;
        return decline("not null");
    case D_OPTION:
        if (literal(s, "null", 4)) Py_RETURN_NONE;
        return parse(s, PyList_GET_ITEM(plan, 1), content);
    case D_LIST:
    case D_TUPLE: {
        if (peek(s) != '[') return decline("not an array");
        if (enter(s) < 0) return NULL;
        s->p++;
        int tuple = PyLong_AsLong(PyList_GET_ITEM(plan, 0)) == D_TUPLE;
        PyObject *items = PyList_GET_ITEM(plan, 1);
        PyObject *l = PyList_New(0);
        if (!l) return NULL;
        int more = eat(s, ']') ? 0 : 1;
        while (more == 1) {
            Py_ssize_t i = PyList_GET_SIZE(l);
            if (tuple && i >= PyTuple_GET_SIZE(items)) {
                decline("tuple too long");
                more = -1;
                break;
            }
            PyObject *v = parse(s, tuple ? PyTuple_GET_ITEM(items, i) : items, content);
            if (!v || PyList_Append(l, v) < 0) {
                Py_XDECREF(v);
                more = -1;
                break;
            }
            Py_DECREF(v);
            more = next_member(s, ']');
        }
        if (more == 0 && tuple && PyList_GET_SIZE(l) != PyTuple_GET_SIZE(items)) {
            decline("tuple too short");
            more = -1;
        }
        s->depth--;
        if (more < 0) {
            Py_DECREF(l);
            return NULL;
        }
        PyObject *t = PyList_AsTuple(l);
        Py_DECREF(l);
        return t;
    }
    case D_MAP: {
        if (peek(s) != '{') return decline("not an object");
        if (enter(s) < 0) return NULL;
        s->p++;
        PyObject *inner = PyList_GET_ITEM(plan, 1);
        PyObject *d = PyDict_New();
        if (!d) return NULL;
        int more = eat(s, '}') ? 0 : 1;
        while (more == 1) {
            PyObject *k = parse_key(s);
            PyObject *v = k ? parse(s, inner, content) : NULL;
            int dup = v ? PyDict_Contains(d, k) : -1;
            if (dup > 0) decline("repeated key");
            if (dup != 0 || PyDict_SetItem(d, k, v) < 0) more = -1;
            Py_XDECREF(k);
            Py_XDECREF(v);
            if (more == 1) more = next_member(s, '}');
        }
        s->depth--;
        if (more < 0 || sort_dict(&d) < 0) {
            Py_DECREF(d);
            return NULL;
        }
        return d;
    }
    case D_UNIT_ENUM: {
        Str t;
        if (next_string(s, &t) < 0) return NULL;
        PyObject *names = PyList_GET_ITEM(plan, 1);
        for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(names); i++) {
            if (key_is(t.b, t.n, PyTuple_GET_ITEM(names, i)))
                return Py_NewRef(PyTuple_GET_ITEM(PyList_GET_ITEM(plan, 2), i));
        }
        return decline("unknown member");
    }
    case D_STRUCT: return parse_struct(s, plan, content);
    case D_ENUM: return parse_enum(s, plan, content);
    case D_PY: {
        PyObject *v = parse_any(s, 0);
        if (!v) return NULL;
        PyObject *r = PyObject_CallFunctionObjArgs(PyList_GET_ITEM(plan, 1), v,
                                                   content ? Py_True : Py_False, NULL);
        Py_DECREF(v);
        return r; /* a WireError here is declined by the caller too */
    }
    default: return decline("left to the pure path");
    }
}

static PyObject *parse(P *s, PyObject *plan, int content) {
    if (Py_EnterRecursiveCall(" in the compiled reader")) return NULL;
    PyObject *r = parse_inner(s, plan, content);
    Py_LeaveRecursiveCall();
    return r;
}

/* -- module ------------------------------------------------------------------ */

static PyObject *loads(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
    if (nargs != 2 || !PyList_Check(args[0])) {
        PyErr_SetString(PyExc_TypeError, "loads(plan, text)");
        return NULL;
    }
    if (!NumberHook) {
        PyErr_SetString(PyExc_RuntimeError, "configure() first");
        return NULL;
    }
    if (!PyUnicode_CheckExact(args[1])) return decline("not a str");
    Py_ssize_t n;
    const char *text = PyUnicode_AsUTF8AndSize(args[1], &n);
    if (!text) {
        PyErr_Clear();
        return decline("text holds a lone surrogate");
    }
    P s = {(const unsigned char *)text, (const unsigned char *)text + n, 0, NULL, 0};
    PyObject *r = parse(&s, args[0], 0);
    ws(&s);
    if (r && s.p != s.end) { /* (peek() cannot tell a NUL character from the end) */
        Py_CLEAR(r);
        decline("trailing characters");
    }
    PyMem_Free(s.scratch);
    return r;
}

static PyObject *configure(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
    if (nargs != 2 || !PyType_Check(args[1])) {
        PyErr_SetString(PyExc_TypeError, "configure(number, Unreadable)");
        return NULL;
    }
    Py_XSETREF(NumberHook, Py_NewRef(args[0]));
    Py_XSETREF(Unreadable, Py_NewRef(args[1]));
    Py_RETURN_NONE;
}

static PyObject *is_object_slot(PyObject *self, PyObject *descr) {
    /* Is this descriptor an object slot (what an attrs slotted field is)? */
    return PyBool_FromLong(Py_IS_TYPE(descr, &PyMemberDescr_Type) &&
                           ((PyMemberDescrObject *)descr)->d_member->type == T_OBJECT_EX &&
                           ((PyMemberDescrObject *)descr)->d_member->offset > 0);
}

static PyMethodDef methods[] = {
    {"loads", (PyCFunction)(void (*)(void))loads, METH_FASTCALL,
     "loads(plan, text) -> the value; raises Fallback for anything left to the pure path."},
    {"configure", (PyCFunction)(void (*)(void))configure, METH_FASTCALL,
     "configure(number, Unreadable): the pure reader's number function and its refusal type."},
    {"is_object_slot", is_object_slot, METH_O, "is_object_slot(descriptor) -> bool"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_reader",
    "The compiled reader of lash_spec.wire.readplan (see docs/dev/performance.md).", -1, methods,
    NULL, NULL, NULL, NULL,
};

/* The build hook stamps every extension it compiles with its source's SHA-256
 * under this name (first used by _writer.c). */
#ifndef LASH_WRITER_SOURCE_SHA
#define LASH_WRITER_SOURCE_SHA "unknown"
#endif

PyMODINIT_FUNC PyInit__reader(void) {
    PyObject *m = PyModule_Create(&module);
    if (!m) return NULL;
    Fallback = PyErr_NewException("lash_spec.wire._reader.Fallback", NULL, NULL);
    if (!Fallback || PyModule_AddObjectRef(m, "Fallback", Fallback) < 0 ||
        PyModule_AddStringConstant(m, "SOURCE_SHA256", LASH_WRITER_SOURCE_SHA) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
