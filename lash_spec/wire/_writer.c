/* The compiled writer: model objects -> serde_json's compact text (UTF-8 bytes).
 *
 * It interprets *plans* built in Python by lash_spec/wire/plan.py from the
 * codec's Shapes; it knows nothing about lash's types, only how to walk a plan.
 * It is an accelerator, never a second specification: whenever it meets
 * something outside the narrow, exactly-typed subset it handles (a subclass, a
 * tuple where a wire value should be a list, an out-of-range integer in a Value,
 * a lone surrogate, a custom predicate that raises ...) it raises, and the
 * caller re-runs the pure-Python codec, whose result or error is the answer.
 * docs/dev/performance.md explains the design; plan.py documents every node.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <structmember.h>
#include <stdint.h>
#include <string.h>

/* Node kinds: keep in step with plan.py. */
enum {
    K_ANY = 0,      /* identity shapes: write the value as it is */
    K_VALUE = 1,    /* serde_json::Value: object keys sorted at every depth */
    K_FLOAT = 2,
    K_NULL = 3,
    K_OPTION = 4,   /* [4, inner] */
    K_LIST = 5,     /* [5, inner] */
    K_BYTES = 6,
    K_TUPLE = 7,    /* [7, (plans...)] */
    K_MAP = 8,      /* [8, inner] */
    K_RESULT = 9,   /* [9, Ok, ok_plan, Err, err_plan] */
    K_UNIT_ENUM = 10, /* [10, (members...), (texts...)] */
    K_STRUCT = 11,  /* [11, cls, (fields...)] */
    K_ENUM = 12,    /* [12, style, tag_key, content_key, (variants...)] */
    K_PY = 13,      /* [13, encode]: the shape's own encode, then written as is */
};
/* Field: (attr, offset, key_text, skip, predicate, plan, inline) */
enum { SKIP_NEVER = 0, SKIP_NONE = 1, SKIP_EMPTY = 2, SKIP_FALSE = 3, SKIP_CALL = 4 };
/* Enum styles and variant kinds: variant = (cls, name_text, kind, fields, py_encode) */
enum { S_EXTERNAL = 0, S_INTERNAL = 1, S_ADJACENT = 2 };
enum { V_UNIT = 0, V_NEWTYPE = 1, V_TUPLE = 2, V_STRUCT = 3, V_PY = 4 };

static PyObject *Fallback; /* "not handled here: use the pure path" */

typedef struct {
    char *data;
    Py_ssize_t len;
    Py_ssize_t cap;
    int depth;
} Buf;

/* Nesting deeper than this is left to the pure path (and its recursion limit). */
#define MAX_DEPTH 256

static int buf_grow(Buf *b, Py_ssize_t extra) {
    Py_ssize_t need = b->len + extra;
    if (need <= b->cap) return 0;
    Py_ssize_t cap = b->cap ? b->cap : 1024;
    while (cap < need) cap *= 2;
    char *data = PyMem_Realloc(b->data, (size_t)cap);
    if (!data) {
        PyErr_NoMemory();
        return -1;
    }
    b->data = data;
    b->cap = cap;
    return 0;
}

static inline int put(Buf *b, const char *s, Py_ssize_t n) {
    if (b->len + n > b->cap && buf_grow(b, n) < 0) return -1;
    memcpy(b->data + b->len, s, (size_t)n);
    b->len += n;
    return 0;
}

static inline int putc_(Buf *b, char c) {
    if (b->len + 1 > b->cap && buf_grow(b, 1) < 0) return -1;
    b->data[b->len++] = c;
    return 0;
}

static inline int put_bytes(Buf *b, PyObject *bytes) {
    return put(b, PyBytes_AS_STRING(bytes), PyBytes_GET_SIZE(bytes));
}

static int fallback(const char *why) {
    PyErr_SetString(Fallback, why);
    return -1;
}

static inline int enter(Buf *b) {
    if (++b->depth <= MAX_DEPTH) return 0;
    b->depth--;
    return fallback("nested too deep");
}

/* -- strings: raw UTF-8; '"', '\\' and C0 controls escaped (lowercase hex) -- */

static const char HEX[] = "0123456789abcdef";

static int put_string(Buf *b, PyObject *s) {
    Py_ssize_t n;
    const unsigned char *p;
    if (PyUnicode_IS_ASCII(s)) {
        p = (const unsigned char *)PyUnicode_1BYTE_DATA(s);
        n = PyUnicode_GET_LENGTH(s);
    } else {
        p = (const unsigned char *)PyUnicode_AsUTF8AndSize(s, &n);
        if (!p) return -1; /* lone surrogate: not UTF-8 */
    }
    /* Worst case every byte becomes \u00XX. */
    if (buf_grow(b, 6 * n + 2) < 0) return -1;
    char *o = b->data + b->len;
    *o++ = '"';
    Py_ssize_t i = 0;
    while (i < n) {
        /* Copy clean bytes eight at a time: a word is clean when it holds no
         * byte below 0x20, no '"' and no '\\' (the classic SWAR tests). */
        while (i + 8 <= n) {
            uint64_t w;
            memcpy(&w, p + i, 8);
            uint64_t quote = w ^ 0x2222222222222222ULL, slash = w ^ 0x5c5c5c5c5c5c5c5cULL;
            uint64_t bad = (w - 0x2020202020202020ULL) | (quote - 0x0101010101010101ULL) |
                           (slash - 0x0101010101010101ULL);
            if ((bad & ~w & ~quote & ~slash & 0x8080808080808080ULL) != 0) break;
            memcpy(o, p + i, 8);
            o += 8;
            i += 8;
        }
        if (i >= n) break;
        unsigned char c = p[i++];
        if (c >= 0x20 && c != '"' && c != '\\') {
            *o++ = (char)c;
            continue;
        }
        *o++ = '\\';
        switch (c) {
        case '"': *o++ = '"'; break;
        case '\\': *o++ = '\\'; break;
        case '\b': *o++ = 'b'; break;
        case '\f': *o++ = 'f'; break;
        case '\n': *o++ = 'n'; break;
        case '\r': *o++ = 'r'; break;
        case '\t': *o++ = 't'; break;
        default:
            *o++ = 'u'; *o++ = '0'; *o++ = '0';
            *o++ = HEX[c >> 4]; *o++ = HEX[c & 15];
        }
    }
    *o++ = '"';
    b->len = o - b->data;
    return 0;
}

/* -- numbers ----------------------------------------------------------------- */

/* serde_json 1.0.149 (zmij) float layout from Python's shortest repr digits;
 * the same algorithm as text.float_text, which is the reference. */
static int put_float(Buf *b, double v) {
    if (Py_IS_NAN(v) || Py_IS_INFINITY(v)) return put(b, "null", 4);
    char *r = PyOS_double_to_string(v, 'r', 0, 0, NULL);
    if (!r) return -1;
    const char *t = r;
    char out[64];
    int o = 0;
    if (*t == '-') {
        out[o++] = '-';
        t++;
    }
    char all[40]; /* integer and fraction digits, without the point */
    int n_all = 0, n_int = 0, seen_point = 0;
    long exponent = 0;
    for (; *t && *t != 'e'; t++) {
        if (*t == '.') {
            seen_point = 1;
            continue;
        }
        if (n_all < (int)sizeof(all)) all[n_all++] = *t;
        if (!seen_point) n_int++;
    }
    if (*t == 'e') exponent = strtol(t + 1, NULL, 10);
    PyMem_Free(r);
    int lead = 0;
    while (lead < n_all && all[lead] == '0') lead++;
    if (lead == n_all) { /* zero keeps its sign */
        memcpy(out + o, "0.0", 3);
        return put(b, out, o + 3);
    }
    const char *digits = all + lead;
    int nd = n_all - lead;
    while (nd > 1 && digits[nd - 1] == '0') nd--;
    long e = n_int + exponent - lead - 1;
    if (e >= -5 && e <= 15) {
        if (e < 0) {
            out[o++] = '0';
            out[o++] = '.';
            for (long i = 0; i < -e - 1; i++) out[o++] = '0';
            memcpy(out + o, digits, (size_t)nd);
            o += nd;
        } else {
            for (long i = 0; i <= e; i++) out[o++] = i < nd ? digits[i] : '0';
            out[o++] = '.';
            if (nd > e + 1) {
                memcpy(out + o, digits + e + 1, (size_t)(nd - e - 1));
                o += (int)(nd - e - 1);
            } else {
                out[o++] = '0';
            }
        }
    } else {
        out[o++] = digits[0];
        if (nd > 1) {
            out[o++] = '.';
            memcpy(out + o, digits + 1, (size_t)(nd - 1));
            o += nd - 1;
        }
        o += snprintf(out + o, sizeof(out) - (size_t)o, "e%c%ld", e > 0 ? '+' : '-', e > 0 ? e : -e);
    }
    return put(b, out, o);
}

/* An exact int. canonical: a serde_json::Value, where only i64/u64 exist
 * (others become floats: left to the pure path). */
static int put_int(Buf *b, PyObject *v, int canonical) {
    char tmp[32];
    int overflow = 0;
    long long x = PyLong_AsLongLongAndOverflow(v, &overflow);
    if (x == -1 && PyErr_Occurred()) return -1;
    if (!overflow) return put(b, tmp, snprintf(tmp, sizeof tmp, "%lld", x));
    if (overflow > 0) {
        unsigned long long u = PyLong_AsUnsignedLongLong(v);
        if (!(u == (unsigned long long)-1 && PyErr_Occurred()))
            return put(b, tmp, snprintf(tmp, sizeof tmp, "%llu", u));
        PyErr_Clear();
    }
    if (canonical) return fallback("integer outside i64/u64 in a Value");
    PyObject *s = PyObject_Str(v);
    if (!s) return -1;
    int rc = put(b, PyUnicode_AsUTF8(s), PyUnicode_GET_LENGTH(s));
    Py_DECREF(s);
    return rc;
}

/* -- plain JSON values ------------------------------------------------------- */

static int put_value(Buf *b, PyObject *v, int sorted);

static int put_sorted_keys(Buf *b, PyObject *d, int sorted, PyObject *plan);
static int put_plan(Buf *b, PyObject *plan, PyObject *obj);

static int put_value(Buf *b, PyObject *v, int sorted) {
    PyTypeObject *t = Py_TYPE(v);
    if (t == &PyUnicode_Type) return put_string(b, v);
    if (v == Py_None) return put(b, "null", 4);
    if (v == Py_True) return put(b, "true", 4);
    if (v == Py_False) return put(b, "false", 5);
    if (t == &PyLong_Type) return put_int(b, v, sorted);
    if (t == &PyFloat_Type) return put_float(b, PyFloat_AS_DOUBLE(v));
    if (t == &PyList_Type) {
        if (enter(b) < 0) return -1;
        int rc = putc_(b, '[');
        for (Py_ssize_t i = 0; rc == 0 && i < PyList_GET_SIZE(v); i++) {
            if (i && putc_(b, ',') < 0) rc = -1;
            else rc = put_value(b, PyList_GET_ITEM(v, i), sorted);
        }
        b->depth--;
        return rc < 0 ? -1 : putc_(b, ']');
    }
    if (t == &PyDict_Type) {
        if (sorted) return put_sorted_keys(b, v, 1, NULL);
        if (enter(b) < 0) return -1;
        int rc = putc_(b, '{');
        Py_ssize_t pos = 0, i = 0;
        PyObject *key, *item;
        while (rc == 0 && PyDict_Next(v, &pos, &key, &item)) {
            if (!PyUnicode_CheckExact(key)) {
                rc = fallback("non-string key");
                break;
            }
            Py_INCREF(item);
            if ((i++ && putc_(b, ',') < 0) || put_string(b, key) < 0 || putc_(b, ':') < 0 ||
                put_value(b, item, 0) < 0)
                rc = -1;
            Py_DECREF(item);
        }
        b->depth--;
        return rc < 0 ? -1 : putc_(b, '}');
    }
    return fallback("not an exact JSON type");
}

/* An object with its keys sorted: a Value object (plan NULL, sorted values) or
 * a BTreeMap field (values written with `plan`). */
static int put_sorted_keys(Buf *b, PyObject *d, int sorted, PyObject *plan) {
    PyObject *keys = PyDict_Keys(d);
    if (!keys) return -1;
    Py_ssize_t n = PyList_GET_SIZE(keys);
    for (Py_ssize_t i = 0; i < n; i++) {
        if (!PyUnicode_CheckExact(PyList_GET_ITEM(keys, i))) {
            Py_DECREF(keys);
            return fallback("non-string key");
        }
    }
    if (PyList_Sort(keys) < 0 || enter(b) < 0) {
        Py_DECREF(keys);
        return -1;
    }
    int rc = putc_(b, '{');
    for (Py_ssize_t i = 0; rc == 0 && i < n; i++) {
        PyObject *key = PyList_GET_ITEM(keys, i);
        PyObject *item = PyDict_GetItemWithError(d, key);
        if (!item) {
            rc = PyErr_Occurred() ? -1 : fallback("map changed");
            break;
        }
        Py_INCREF(item);
        if ((i && putc_(b, ',') < 0) || put_string(b, key) < 0 || putc_(b, ':') < 0 ||
            (plan ? put_plan(b, plan, item) : put_value(b, item, sorted)) < 0)
            rc = -1;
        Py_DECREF(item);
    }
    b->depth--;
    Py_DECREF(keys);
    return rc < 0 ? -1 : putc_(b, '}');
}

/* -- plans ------------------------------------------------------------------- */

#define ARG(plan, i) PyList_GET_ITEM((plan), (i))

/* A new reference to a struct field: a slot read when the plan knows its offset. */
static PyObject *field_value(PyObject *obj, PyObject *field) {
    Py_ssize_t offset = PyLong_AsSsize_t(PyTuple_GET_ITEM(field, 1));
    if (offset > 0) {
        PyObject *v = *(PyObject **)((char *)obj + offset);
        if (v) {
            Py_INCREF(v);
            return v;
        }
    }
    return PyObject_GetAttr(obj, PyTuple_GET_ITEM(field, 0));
}

static int put_members(Buf *b, PyObject *plan, PyObject *obj, int *first);

/* The fields of a struct, without braces (also inlined into an outer object). */
static int put_fields(Buf *b, PyObject *fields, PyObject *obj, int *first) {
    Py_ssize_t n = PyTuple_GET_SIZE(fields);
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *f = PyTuple_GET_ITEM(fields, i);
        PyObject *v = field_value(obj, f);
        if (!v) return -1;
        int skip = 0;
        switch (PyLong_AsLong(PyTuple_GET_ITEM(f, 3))) {
        case SKIP_NONE: skip = v == Py_None; break;
        case SKIP_EMPTY: skip = PyObject_Not(v); break;
        case SKIP_FALSE: skip = v == Py_False; break;
        case SKIP_CALL: {
            PyObject *r = PyObject_CallOneArg(PyTuple_GET_ITEM(f, 4), v);
            skip = r ? PyObject_IsTrue(r) : -1;
            Py_XDECREF(r);
            break;
        }
        default: break;
        }
        int rc = 0;
        if (skip < 0) {
            rc = -1;
        } else if (!skip) {
            if (PyTuple_GET_ITEM(f, 6) == Py_True) {
                rc = put_members(b, PyTuple_GET_ITEM(f, 5), v, first);
            } else {
                if (!*first && putc_(b, ',') < 0) rc = -1;
                *first = 0;
                if (rc == 0 && (put_bytes(b, PyTuple_GET_ITEM(f, 2)) < 0 ||
                                put_plan(b, PyTuple_GET_ITEM(f, 5), v) < 0))
                    rc = -1;
            }
        }
        Py_DECREF(v);
        if (rc < 0) return -1;
    }
    return 0;
}

static PyObject *find_variant(PyObject *variants, PyObject *obj) {
    Py_ssize_t n = PyTuple_GET_SIZE(variants);
    PyObject *cls = (PyObject *)Py_TYPE(obj);
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *v = PyTuple_GET_ITEM(variants, i);
        if (PyTuple_GET_ITEM(v, 0) == cls) return v;
    }
    fallback("not a variant of this enum");
    return NULL;
}

/* The members an inlined struct or internally tagged enum adds to an object. */
static int put_members(Buf *b, PyObject *plan, PyObject *obj, int *first) {
    if (PyList_GET_SIZE(plan) == 0) return fallback("unfinished plan");
    long kind = PyLong_AsLong(ARG(plan, 0));
    if (kind == K_STRUCT) {
        if ((PyObject *)Py_TYPE(obj) != ARG(plan, 1)) return fallback("not the struct's class");
        return put_fields(b, ARG(plan, 2), obj, first);
    }
    /* An internally tagged enum: tag first, then the variant's fields. */
    PyObject *v = find_variant(ARG(plan, 4), obj);
    if (!v) return -1;
    long vkind = PyLong_AsLong(PyTuple_GET_ITEM(v, 2));
    if (vkind == V_PY) return fallback("variant not inlined");
    if ((!*first && putc_(b, ',') < 0) || put_bytes(b, ARG(plan, 2)) < 0 ||
        put_bytes(b, PyTuple_GET_ITEM(v, 1)) < 0)
        return -1;
    *first = 0;
    if (vkind == V_STRUCT) return put_fields(b, PyTuple_GET_ITEM(v, 3), obj, first);
    if (vkind == V_NEWTYPE) {
        PyObject *f = PyTuple_GET_ITEM(PyTuple_GET_ITEM(v, 3), 0);
        PyObject *inner = field_value(obj, f);
        if (!inner) return -1;
        int rc = put_members(b, PyTuple_GET_ITEM(f, 5), inner, first);
        Py_DECREF(inner);
        return rc;
    }
    return 0; /* unit */
}

static int put_seq(Buf *b, PyObject *plan, PyObject *obj) {
    PyTypeObject *t = Py_TYPE(obj);
    if (t != &PyTuple_Type && t != &PyList_Type) return fallback("not a tuple or list");
    if (putc_(b, '[') < 0) return -1;
    /* Sizes and items are re-read each time: a PY node may run Python code. */
    for (Py_ssize_t i = 0; i < PySequence_Fast_GET_SIZE(obj); i++) {
        PyObject *item = PySequence_Fast_GET_ITEM(obj, i);
        Py_INCREF(item);
        int rc = (i && putc_(b, ',') < 0) ? -1 : put_plan(b, plan, item);
        Py_DECREF(item);
        if (rc < 0) return -1;
    }
    return putc_(b, ']');
}

static int put_py(Buf *b, PyObject *encode, PyObject *obj) {
    PyObject *wire = PyObject_CallOneArg(encode, obj);
    if (!wire) return -1;
    int rc = put_value(b, wire, 0);
    Py_DECREF(wire);
    return rc;
}

static int put_variant_payload(Buf *b, PyObject *v, PyObject *obj) {
    long vkind = PyLong_AsLong(PyTuple_GET_ITEM(v, 2));
    PyObject *fields = PyTuple_GET_ITEM(v, 3);
    if (vkind == V_NEWTYPE) {
        PyObject *f = PyTuple_GET_ITEM(fields, 0);
        PyObject *inner = field_value(obj, f);
        if (!inner) return -1;
        int rc = put_plan(b, PyTuple_GET_ITEM(f, 5), inner);
        Py_DECREF(inner);
        return rc;
    }
    if (vkind == V_TUPLE) {
        if (putc_(b, '[') < 0) return -1;
        for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(fields); i++) {
            PyObject *f = PyTuple_GET_ITEM(fields, i);
            PyObject *x = field_value(obj, f);
            if (!x) return -1;
            int rc = (i && putc_(b, ',') < 0) ? -1 : put_plan(b, PyTuple_GET_ITEM(f, 5), x);
            Py_DECREF(x);
            if (rc < 0) return -1;
        }
        return putc_(b, ']');
    }
    int first = 1;
    if (putc_(b, '{') < 0 || put_fields(b, fields, obj, &first) < 0) return -1;
    return putc_(b, '}');
}

static int put_enum(Buf *b, PyObject *plan, PyObject *obj) {
    long style = PyLong_AsLong(ARG(plan, 1));
    PyObject *v = find_variant(ARG(plan, 4), obj);
    if (!v) return -1;
    long vkind = PyLong_AsLong(PyTuple_GET_ITEM(v, 2));
    if (vkind == V_PY) return put_py(b, PyTuple_GET_ITEM(v, 4), obj);
    PyObject *name = PyTuple_GET_ITEM(v, 1);
    if (style == S_INTERNAL) {
        int first = 1;
        if (putc_(b, '{') < 0 || put_members(b, plan, obj, &first) < 0) return -1;
        return putc_(b, '}');
    }
    if (style == S_ADJACENT) {
        if (putc_(b, '{') < 0 || put_bytes(b, ARG(plan, 2)) < 0 || put_bytes(b, name) < 0)
            return -1;
        if (vkind != V_UNIT) {
            if (putc_(b, ',') < 0 || put_bytes(b, ARG(plan, 3)) < 0 ||
                put_variant_payload(b, v, obj) < 0)
                return -1;
        }
        return putc_(b, '}');
    }
    if (vkind == V_UNIT) return put_bytes(b, name);
    if (putc_(b, '{') < 0 || put_bytes(b, name) < 0 || putc_(b, ':') < 0 ||
        put_variant_payload(b, v, obj) < 0)
        return -1;
    return putc_(b, '}');
}

static int put_plan_inner(Buf *b, PyObject *plan, PyObject *obj) {
    if (PyList_GET_SIZE(plan) == 0) return fallback("unfinished plan");
    switch (PyLong_AsLong(ARG(plan, 0))) {
    case K_ANY: return put_value(b, obj, 0);
    case K_VALUE: return put_value(b, obj, 1);
    case K_FLOAT:
        if (!PyFloat_CheckExact(obj)) return fallback("not an exact float");
        return put_float(b, PyFloat_AS_DOUBLE(obj));
    case K_NULL: return put(b, "null", 4);
    case K_OPTION:
        if (obj == Py_None) return put(b, "null", 4);
        return put_plan(b, ARG(plan, 1), obj);
    case K_LIST: return put_seq(b, ARG(plan, 1), obj);
    case K_BYTES: {
        if (!PyBytes_CheckExact(obj)) return fallback("not bytes");
        const unsigned char *p = (const unsigned char *)PyBytes_AS_STRING(obj);
        Py_ssize_t n = PyBytes_GET_SIZE(obj);
        char tmp[8];
        if (putc_(b, '[') < 0) return -1;
        for (Py_ssize_t i = 0; i < n; i++) {
            if ((i && putc_(b, ',') < 0) || put(b, tmp, snprintf(tmp, sizeof tmp, "%u", p[i])) < 0)
                return -1;
        }
        return putc_(b, ']');
    }
    case K_TUPLE: {
        PyObject *items = ARG(plan, 1);
        PyTypeObject *t = Py_TYPE(obj);
        if ((t != &PyTuple_Type && t != &PyList_Type) ||
            PySequence_Fast_GET_SIZE(obj) != PyTuple_GET_SIZE(items))
            return fallback("not a tuple of the right length");
        if (t == &PyList_Type) return fallback("a list where a tuple is expected");
        if (putc_(b, '[') < 0) return -1;
        for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(items); i++) {
            if ((i && putc_(b, ',') < 0) ||
                put_plan(b, PyTuple_GET_ITEM(items, i), PyTuple_GET_ITEM(obj, i)) < 0)
                return -1;
        }
        return putc_(b, ']');
    }
    case K_MAP:
        if (!PyDict_CheckExact(obj)) return fallback("not a dict");
        return put_sorted_keys(b, obj, 0, ARG(plan, 1));
    case K_RESULT: {
        PyObject *cls = (PyObject *)Py_TYPE(obj);
        int ok = cls == ARG(plan, 1);
        if (!ok && cls != ARG(plan, 3)) return fallback("not Ok or Err");
        PyObject *inner = PyObject_GetAttrString(obj, ok ? "value" : "error");
        if (!inner) return -1;
        int rc = put(b, ok ? "{\"Ok\":" : "{\"Err\":", ok ? 6 : 7);
        if (rc == 0) rc = put_plan(b, ARG(plan, ok ? 2 : 4), inner);
        Py_DECREF(inner);
        return rc < 0 ? -1 : putc_(b, '}');
    }
    case K_UNIT_ENUM: {
        PyObject *members = ARG(plan, 1);
        for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(members); i++) {
            if (PyTuple_GET_ITEM(members, i) == obj)
                return put_bytes(b, PyTuple_GET_ITEM(ARG(plan, 2), i));
        }
        return fallback("not a member");
    }
    case K_STRUCT: {
        int first = 1;
        if (putc_(b, '{') < 0 || put_members(b, plan, obj, &first) < 0) return -1;
        return putc_(b, '}');
    }
    case K_ENUM: return put_enum(b, plan, obj);
    case K_PY: return put_py(b, ARG(plan, 1), obj);
    default: return fallback("unknown plan node");
    }
}

static int put_plan(Buf *b, PyObject *plan, PyObject *obj) {
    if (enter(b) < 0) return -1;
    int rc = put_plan_inner(b, plan, obj);
    b->depth--;
    return rc;
}

/* -- module ------------------------------------------------------------------ */

static PyObject *dumps(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
    if (nargs != 2 || !PyList_Check(args[0])) {
        PyErr_SetString(PyExc_TypeError, "dumps(plan, obj)");
        return NULL;
    }
    Buf b = {NULL, 0, 0, 0};
    PyObject *result = NULL;
    if (put_plan(&b, args[0], args[1]) == 0)
        result = PyBytes_FromStringAndSize(b.data, b.len);
    PyMem_Free(b.data);
    return result;
}

static PyObject *member_offset(PyObject *self, PyObject *descr) {
    /* The slot offset behind an attrs slotted field, or -1 (use getattr). */
    if (Py_IS_TYPE(descr, &PyMemberDescr_Type)) {
        PyMemberDef *m = ((PyMemberDescrObject *)descr)->d_member;
        if (m->type == T_OBJECT_EX)
            return PyLong_FromSsize_t(m->offset);
    }
    return PyLong_FromLong(-1);
}

static PyMethodDef methods[] = {
    {"dumps", (PyCFunction)(void (*)(void))dumps, METH_FASTCALL,
     "dumps(plan, obj) -> bytes: serde_json's compact text of obj, as UTF-8."},
    {"member_offset", member_offset, METH_O, "member_offset(descriptor) -> int"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_writer",
    "The compiled writer of lash_spec.wire.plan (see docs/dev/performance.md).", -1, methods,
    NULL, NULL, NULL, NULL,
};

#ifndef LASH_WRITER_SOURCE_SHA
#define LASH_WRITER_SOURCE_SHA "unknown"
#endif

PyMODINIT_FUNC PyInit__writer(void) {
    PyObject *m = PyModule_Create(&module);
    if (!m) return NULL;
    Fallback = PyErr_NewException("lash_spec.wire._writer.Fallback", NULL, NULL);
    if (!Fallback || PyModule_AddObjectRef(m, "Fallback", Fallback) < 0 ||
        PyModule_AddStringConstant(m, "SOURCE_SHA256", LASH_WRITER_SOURCE_SHA) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
