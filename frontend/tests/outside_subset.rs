//! Constructs outside the subset: the exact diagnostic (kind, line, column, message).
mod common;
use common::*;
use frontend::env::{Env, Global};
use frontend::{DiagKind, compile};

/// `def f(x: F8) -> F8:` then `line` (indented 4), then `return x`.
fn body_err(line: &str) -> (DiagKind, u32, u32, String) {
    let src = format!("def f(x: F8) -> F8:\n    {line}\n    return x\n");
    let d = err(&src);
    let (l, c, m) = where_(&d);
    (d.kind, l, c, m)
}

fn un(line: u32, col: u32, msg: &str) -> (DiagKind, u32, u32, String) {
    (DiagKind::Unsupported, line, col, msg.to_string())
}

#[test]
fn statements_outside_the_subset() {
    type Case = (&'static str, (DiagKind, u32, u32, String));
    let cases: &[Case] = &[
        ("print(x)", un(2, 5, "call to 'print' is not in the kernel subset")),
        ("y = [1, 2]", un(2, 9, "a 'list' literal is not in the kernel subset")),
        ("y = {1: 2}", un(2, 9, "a 'dict' literal is not in the kernel subset")),
        ("y = {1}", un(2, 9, "a 'set' literal is not in the kernel subset")),
        ("y = 'abc'", un(2, 9, "a 'str' literal is not in the kernel subset")),
        ("y = f'{x}'", un(2, 9, "an f-string is not in the kernel subset")),
        ("y = None", un(2, 9, "'None' is not in the kernel subset")),
        ("y = x.real", un(2, 9, "attribute access 'x.real' is not in the kernel subset")),
        ("y = (1, 2)", un(2, 9, "a tuple is not in the kernel subset")),
        ("y = x[0]", un(2, 9, "indexing ('[...]') is not in the kernel subset")),
        ("y = lambda: 1", un(2, 9, "'lambda' is not in the kernel subset")),
        ("y = [i for i in range(3)]", un(2, 9, "a list comprehension is not in the kernel subset")),
        ("y = x is x", un(2, 9, "the 'is' operator is not in the kernel subset")),
        ("y = x in x", un(2, 9, "the 'in' operator is not in the kernel subset")),
        ("y = (z := 3)", un(2, 10, "':=' (an assignment expression) is not in the kernel subset")),
        ("y = 1j", un(2, 9, "a complex literal is not in the kernel subset")),
        ("y = x @ x", un(2, 9, "the '@' operator is not in the kernel subset")),
        ("y = len(x)", un(2, 9, "call to 'len' is not in the kernel subset")),
        ("y = abs(x=1)", un(2, 13, "keyword argument 'x' is not in the kernel subset")),
        ("y = abs(*x)", un(2, 13, "a '*' argument is not in the kernel subset")),
        ("y = min(x)", un(2, 9, "min() of one argument (an iterable) is not in the kernel subset")),
        ("y = round(x, 2)", un(2, 9, "round() with a number of digits is not in the kernel subset")),
        ("y = range(3)", un(2, 9, "range() outside the header of a 'for' loop is not in the kernel subset")),
        ("y = math.factorial(3)", un(2, 9, "call to 'math.factorial' is not in the kernel subset")),
        ("y = math.sqrt", un(2, 9, "the function 'math.sqrt' can only be called in a kernel, not used as a value")),
        ("y = abs", un(2, 9, "the builtin 'abs' can only be called in a kernel, not used as a value")),
        ("global g", un(2, 5, "'global g' is not in the kernel subset")),
        ("import os", un(2, 5, "'import' inside a kernel is not in the kernel subset")),
        ("del x", un(2, 5, "'del' is not in the kernel subset")),
        ("assert x", un(2, 5, "'assert' is not in the kernel subset")),
        ("raise ValueError", un(2, 5, "'raise' is not in the kernel subset")),
        ("with x: pass", un(2, 5, "'with' is not in the kernel subset")),
        ("try: pass\n    except: pass", un(2, 5, "'try' is not in the kernel subset")),
        ("def g(): pass", un(2, 5, "a nested function definition is not in the kernel subset")),
        ("class C: pass", un(2, 5, "a class definition is not in the kernel subset")),
        ("x[0] = 1.0", un(2, 5, "assignment to a subscript is not in the kernel subset")),
        ("x.y = 1.0", un(2, 5, "assignment to an attribute is not in the kernel subset")),
        ("for c in x: pass", un(2, 14, "a 'for' loop over anything but range() is not in the kernel subset")),
        ("for i in range(3): pass\n    else: pass", un(3, 11, "the 'else' clause of a 'for' loop is not in the kernel subset")),
        ("while x: break\n    else: pass", un(3, 11, "the 'else' clause of a 'while' loop is not in the kernel subset")),
        ("a, b = x", un(2, 5, "unpacking a value other than a tuple of expressions is not in the kernel subset")),
        ("a, b = x, x, x", un(2, 12, "cannot unpack 3 values into 2 names")),
        ("y = foo", (DiagKind::Name, 2, 9, "name 'foo' is not defined".into())),
        ("y = foo(1)", (DiagKind::Name, 2, 9, "name 'foo' is not defined".into())),
        ("return", un(2, 5, "'return' without a value is not in the kernel subset")),
        ("yield x", un(2, 5, "'yield' is not in the kernel subset")),
    ];
    for (line, want) in cases {
        assert_eq!(&body_err(line), want, "for `{line}`");
    }
}

#[test]
fn signature_outside_the_subset() {
    let d = err("def f(x: F8, *rest) -> F8:\n    return x\n");
    assert_eq!(where_(&d), (1, 15, "'*rest' parameter is not in the kernel subset".into()));
    let d = err("def f(x: F8, y: F8 = 1.0) -> F8:\n    return x\n");
    assert_eq!(where_(&d), (1, 22, "default value for parameter 'y' is not in the kernel subset".into()));
    let d = err("def f(x: F8, *, k: F8) -> F8:\n    return x\n");
    assert_eq!(where_(&d), (1, 17, "keyword-only parameter 'k' is not in the kernel subset".into()));
    let d = err("def f(x: F8, **kw) -> F8:\n    return x\n");
    assert_eq!(where_(&d), (1, 16, "'**kw' parameter is not in the kernel subset".into()));
    let d = err("async def f(x: F8) -> F8:\n    return x\n");
    assert_eq!(where_(&d), (1, 1, "'async def' is not in the kernel subset".into()));
    let d = err("def f(x: list) -> F8:\n    return x\n");
    assert_eq!((d.kind, where_(&d)), (DiagKind::Type, (1, 10, "annotation 'list' is not a scalar type of the kernel subset".into())));
    let d = err("def f(x) -> F8:\n    return x\n");
    assert_eq!((d.kind, where_(&d)), (DiagKind::Type, (1, 7, "parameter 'x' has no type (annotate it, e.g. 'x: F8')".into())));
}

#[test]
fn the_first_construct_in_source_order_is_reported() {
    let d = err("def f(x: F8) -> F8:\n    y = x\n    print(y)\n    z = [1]\n    return x\n");
    assert_eq!(where_(&d), (3, 5, "call to 'print' is not in the kernel subset".into()));
    let d = err("def f(x: F8) -> F8:\n    z = [1]\n    print(x)\n    return x\n");
    assert_eq!(where_(&d), (2, 9, "a 'list' literal is not in the kernel subset".into()));
    // A name error before a type error further down.
    let d = err("def f(x: U8, y: S8) -> F8:\n    a = x + y\n    return foo\n");
    assert_eq!((d.kind, where_(&d)), (DiagKind::Name, (3, 12, "name 'foo' is not defined".into())));
}

#[test]
fn globals_outside_the_subset_say_what_they_are() {
    let env = common::env().with("data", Global::Other("a list".into())).with("np", Global::Other("a module".into()));
    let d = compile(&def_in("def f(x: F8) -> F8:\n    return x + data\n", env.clone()), &[]).unwrap_err();
    assert_eq!(where_(&d), (2, 16, "global 'data' is a list, which is not in the kernel subset".into()));
    let d = compile(&def_in("def f(x: F8) -> F8:\n    return np.sin(x)\n", env), &[]).unwrap_err();
    assert_eq!(where_(&d), (2, 12, "call to 'np.sin' is not in the kernel subset".into()));
    let env = Env::new().with("print", Global::Other("a function".into()));
    let d = compile(&def_in("def f(x: float) -> float:\n    print(x)\n    return x\n", env), &[]).unwrap_err();
    assert_eq!(where_(&d), (2, 5, "global 'print' is a function, which is not in the kernel subset".into()));
}

#[test]
fn flow_errors() {
    let d = err("def f(x: F8) -> F8:\n    if x > 0:\n        y = 1.0\n    return y\n");
    assert_eq!(where_(&d), (4, 12, "local 'y' might be used before assignment".into()));
    let d = err("def f(n: int) -> int:\n    for i in range(n):\n        pass\n    return i\n");
    assert_eq!(where_(&d), (4, 12, "local 'i' might be used before assignment".into()));
    let d = err("def f(x: F8) -> F8:\n    if x > 0:\n        return x\n");
    assert_eq!(where_(&d), (1, 1, "kernel may end without returning a value".into()));
    let d = err("def f(x: F8) -> F8:\n    y = y + 1.0\n    return y\n");
    assert_eq!(where_(&d), (2, 9, "local 'y' might be used before assignment".into()));
    let d = err("def f(x: F8) -> F8:\n    break\n");
    assert_eq!((d.kind, where_(&d)), (DiagKind::Syntax, (2, 5, "'break' outside a loop".into())));
}

#[test]
fn type_errors() {
    let cases: &[(&str, (u32, u32, &str))] = &[
        ("def f(x: U8, y: S8):\n    return x + y\n", (2, 12, "cannot mix U8 and S8 without an explicit cast (write S8(x) or U8(y))")),
        ("def f(x: U8, y: int):\n    return x * y\n", (2, 12, "cannot mix U8 and int without an explicit cast (write int(x) or U8(y))")),
        ("def f(x: U1):\n    return x + 300\n", (2, 16, "literal 300 does not fit U1")),
        ("def f(x: U1):\n    return x + -1\n", (2, 16, "literal -1 does not fit U1")),
        ("def f(x: S1):\n    return x - 0x80\n", (2, 16, "literal 0x80 does not fit S1")),
        ("def f(x: int):\n    return x + 2**64\n", (2, 16, "literal 2**64 does not fit in a 64-bit int")),
        ("def f(x: int):\n    return x + 123456789012345678901234567890123456789012\n", (2, 16, "literal 12345678901234567890... does not fit in 64 bits")),
        ("def f(x: F8):\n    return x << 1\n", (2, 12, "operator '<<' needs integer operands, not F8")),
        ("def f(x: F4):\n    return ~x\n", (2, 12, "operator '~' needs integer operands, not F4")),
        ("def f(x: F8) -> int:\n    return x\n", (2, 12, "cannot return F8 from a kernel returning int without an explicit cast (write int(...))")),
        ("def f(x: F8):\n    y: U4 = x\n    return y\n", (2, 13, "cannot assign F8 to local 'y' of type U4 without an explicit cast (write U4(...))")),
        ("def f(x: F8):\n    return math.sqrt(x, x)\n", (2, 12, "math.sqrt() takes 1 argument, 2 given")),
        ("def f(x: F8):\n    return abs(x, x)\n", (2, 12, "abs() takes 1 argument, 2 given")),
        ("def f(x: F8):\n    for i in range(x):\n        pass\n    return x\n", (2, 20, "range() needs integer bounds, not F8")),
        ("def f(x: U8, y: S8):\n    if x > 0:\n        z = x\n    else:\n        z = y\n    return z\n", (5, 13, "local 'z' is assigned both U8 and S8 values, which have no common type; add an explicit cast")),
        ("def f(x: U8, y: S8):\n    if x > 0:\n        return x\n    return y\n", (4, 12, "the kernel returns both U8 and S8 values, which have no common type; add an explicit cast")),
    ];
    for (src, (line, col, msg)) in cases {
        let d = err(src);
        assert_eq!(d.kind, DiagKind::Type, "{src}");
        assert_eq!(where_(&d), (*line, *col, msg.to_string()), "{src}");
    }
}

#[test]
fn recursion_is_rejected_with_a_clear_message() {
    use frontend::env::KernelDef;
    use frontend::Source;
    use std::sync::Arc;
    // The environment of the outer definition names the same function (as Python's does).
    let src = "def fact(n: int) -> int:\n    if n <= 1:\n        return 1\n    return n * fact(n - 1)\n";
    let inner = Arc::new(KernelDef { name: "fact".into(), source: Arc::new(Source::new(src, "k.py", 1)), env: Env::new() });
    let outer = KernelDef { name: "fact".into(), source: inner.source.clone(), env: Env::new().with("fact", Global::Kernel(inner)) };
    let d = compile(&outer, &[]).unwrap_err();
    assert_eq!(where_(&d), (4, 16, "recursive call to kernel 'fact' is not in the kernel subset".into()));
}

#[test]
fn diagnostics_render_with_file_line_and_caret() {
    let src = "@chunk_kernel\ndef f(x: F8) -> F8:\n    y = x\n    print(y)\n    return y\n";
    let d = compile(&frontend::env::KernelDef { name: "f".into(), source: std::sync::Arc::new(frontend::Source::new(src, "mod.py", 10)), env: common::env() }, &[]).unwrap_err();
    assert_eq!(d.render(), "mod.py, line 13, col 5: call to 'print' is not in the kernel subset\n        print(y)\n        ^");
}
