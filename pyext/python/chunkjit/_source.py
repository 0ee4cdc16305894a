"""Reading a kernel's source and resolving the global names it uses.

Both run at decoration time, inside the 1 ms budget: the source comes from a slice of
`linecache` (a few microseconds) and `inspect.getsource` is only the fallback when that slice
does not parse. Names are resolved into plain tuples the native compiler understands; it never
sees a Python object other than another kernel's definition.
"""

from __future__ import annotations

import builtins
import linecache
import math
import tokenize
import types

#: Builtins the kernel subset knows by name; a global that shadows one is passed as "other".
SUBSET_BUILTINS = frozenset(
    ["abs", "min", "max", "round", "int", "float", "bool", "range"]
)

_I64_MIN = -(1 << 63)
_I64_MAX = (1 << 63) - 1


def fast_source(func) -> tuple[str, str, int] | None:
    """The function's text, file and first line from linecache, or None when unavailable."""
    code = getattr(func, "__code__", None)
    if code is None:
        return None
    lines = linecache.getlines(code.co_filename)
    if not lines:
        return None
    first = code.co_firstlineno
    last = max((line for _, _, line in code.co_lines() if line is not None), default=first)
    if first < 1 or last > len(lines):
        return None
    # CPython drops unreachable code from the line table (`if True: return a` followed by
    # `return b` has no line for `return b`), so the body can run on past `last`: take the
    # lines after it that are indented deeper than the `def` (blank and comment lines between).
    indent = _indent(lines[first - 1])
    end = last
    while end < len(lines):
        text = lines[end].strip()
        if text and not text.startswith("#"):
            if _indent(lines[end]) <= indent:
                break
            last = end + 1
        end += 1
    return "".join(lines[first - 1 : last]), code.co_filename, first


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" \t"))


def slow_source(func) -> tuple[str, str, int] | None:
    """The function's text via `inspect` (handles closing brackets on lines of their own)."""
    import inspect  # only on this slow path: importing it costs milliseconds

    try:
        lines, first = inspect.getsourcelines(func)
        filename = inspect.getsourcefile(func) or func.__code__.co_filename
    except (OSError, TypeError, SyntaxError, tokenize.TokenError):
        # No source, or text that no longer tokenizes (a file edited after import): inspect
        # raises the tokenizer's errors, and the kernel falls back with "cannot be read".
        return None
    return "".join(lines), filename, max(first, 1)


def _describe(value) -> str:
    """How a fallback reason names a global that is outside the subset."""
    if isinstance(value, types.ModuleType):
        return f"module '{value.__name__}'"
    if isinstance(value, type):
        return f"class '{value.__qualname__}'"
    if callable(value):
        name = getattr(value, "__qualname__", None) or type(value).__name__
        return f"function '{name}'"
    article = "an" if type(value).__name__[:1] in "aeiou" else "a"
    return f"{article} {type(value).__name__}"


def _numpy_type_name(value):
    """The chunkjit type name of a numpy scalar type object (np.float64 -> 'F8'), if numpy is loaded."""
    import sys

    np = sys.modules.get("numpy")
    if np is None or not isinstance(value, type) or not issubclass(value, np.generic):
        return None
    from ._types import type_name_of_dtype

    try:
        return type_name_of_dtype(np.dtype(value))
    except TypeError:
        return None


def classify(value, kernel_type, scalar_type):
    """One resolved global as the native compiler's tuple."""
    if isinstance(value, bool):
        return ("const", value, "B1")
    if isinstance(value, int):
        if _I64_MIN <= value <= _I64_MAX:
            return ("const", value, "int")
        return ("other", "an int that does not fit in 64 bits")
    if isinstance(value, float):
        return ("const", value, "F8")
    if value is math:
        return ("math",)
    if isinstance(value, kernel_type):
        return ("kernel", value)
    if isinstance(value, scalar_type):
        return ("type", value.name)
    if isinstance(value, types.BuiltinFunctionType) and getattr(value, "__module__", None) == "math":
        return ("mathfn", value.__name__)
    np_name = _numpy_type_name(value)
    if np_name is not None:
        return ("type", np_name)
    np_scalar = _numpy_scalar(value)
    if np_scalar is not None:
        return np_scalar
    return ("other", _describe(value))


def _numpy_scalar(value):
    import sys

    np = sys.modules.get("numpy")
    if np is None or not isinstance(value, np.generic):
        return None
    from ._types import type_name_of_dtype

    try:
        name = type_name_of_dtype(value.dtype)
    except TypeError:
        return None
    return ("const", value.item(), name)


def resolve_names(func, kernel_type, scalar_type) -> dict:
    """The globals and closure variables `func` names, frozen now, as native tuples."""
    code = func.__code__
    env = {}
    closure = {}
    if func.__closure__:
        for name, cell in zip(code.co_freevars, func.__closure__):
            try:
                closure[name] = cell.cell_contents
            except ValueError:  # an empty cell: the variable is not assigned yet
                continue
    glob = func.__globals__
    builtin_ns = glob.get("__builtins__", builtins)
    if isinstance(builtin_ns, types.ModuleType):
        builtin_ns = builtin_ns.__dict__
    for name in tuple(code.co_names) + tuple(code.co_freevars):
        if name in closure:
            env[name] = classify(closure[name], kernel_type, scalar_type)
        elif name in glob:
            env[name] = classify(glob[name], kernel_type, scalar_type)
        elif name in SUBSET_BUILTINS and builtin_ns.get(name) is getattr(builtins, name):
            continue  # the real builtin: the compiler knows it
        elif name in builtin_ns:
            env[name] = ("other", _describe(builtin_ns[name]))
    return env
