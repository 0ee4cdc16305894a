//! Every construct of the subset compiles, with the types and node kinds the IR contract asks.
mod common;
use common::*;
use frontend::env::{Global, KernelDef};
use frontend::ir::{ExprKind, StmtKind};
use frontend::ops::Convert;
use frontend::types::Ty;
use frontend::value::Scalar;
use frontend::{Source, compile, signature_of};
use std::sync::Arc;

#[test]
fn params_locals_and_result_types() {
    let k = ok("def f(x: U4, y: float, b: bool, n: int) -> F4:\n    z: S2 = 1\n    return x\n");
    assert_eq!(k.param_types(), vec![Ty::U4, Ty::F8, Ty::B1, Ty::Int]);
    assert_eq!(k.ret, Ty::F4);
    assert_eq!(local_ty(&k, "z"), Ty::S2);
    assert_eq!(shape(first_return(&k)), "IntToFloat:F4(local:U4)");
    // String annotations and dotted type names.
    let k = ok("def f(x: 'F4', y: np.float64) -> \"U1\":\n    return U1(x + y)\n");
    assert_eq!((k.param_types(), k.ret), (vec![Ty::F4, Ty::F8], Ty::U1));
}

#[test]
fn unannotated_parameters_take_the_argument_types() {
    let k = ok_with("def f(x, y: F4):\n    return x + y\n", &[Ty::U1, Ty::F8]);
    assert_eq!(k.param_types(), vec![Ty::U1, Ty::F4]);
    assert_eq!(k.ret, Ty::F4);
}

#[test]
fn literals() {
    assert_eq!(ret_shape("def f():\n    return 1\n"), "const:int");
    assert_eq!(ret_shape("def f():\n    return -9223372036854775808\n"), "const:int");
    assert_eq!(ret_shape("def f():\n    return 2.5\n"), "const:F8");
    assert_eq!(ret_shape("def f():\n    return True\n"), "const:B1");
    let k = ok("def f(x: U1):\n    return x + 255\n");
    let ExprKind::Binary(_, _, c) = &first_return(&k).kind else { panic!() };
    assert!(matches!(c.kind, ExprKind::Const(Scalar::UInt(255))));
    let k = ok("def f(x: F4):\n    return x + 0.5\n");
    let ExprKind::Binary(_, _, c) = &first_return(&k).kind else { panic!() };
    assert!(matches!(c.kind, ExprKind::Const(Scalar::Float(v)) if v == 0.5));
    // A literal that F4 cannot hold keeps its rounding visible to the interpreter
    // (`python_exact`): Python computes with the F8 value.
    let k = ok("def f(x: F4):\n    return x + 0.1\n");
    let ExprKind::Binary(_, _, c) = &first_return(&k).kind else { panic!() };
    let ExprKind::Convert(Convert::FloatToFloat, lit) = &c.kind else { panic!("{c:?}") };
    assert!(matches!(lit.kind, ExprKind::Const(Scalar::Float(v)) if v == 0.1));
    assert_eq!(c.ty, Ty::F4);
    let k = ok("def f(x: F8):\n    return x < 9007199254740993\n");
    let ExprKind::Compare(_, _, c) = &first_return(&k).kind else { panic!() };
    assert!(matches!(&c.kind, ExprKind::Convert(Convert::IntToFloat, lit) if matches!(lit.kind, ExprKind::Const(Scalar::Int(9007199254740993)))));
}

#[test]
fn operators() {
    for (op, kind) in [("+", "Add"), ("-", "Sub"), ("*", "Mul"), ("//", "FloorDiv"), ("%", "Mod"), ("**", "Pow"),
        ("<<", "LShift"), (">>", "RShift"), ("&", "BitAnd"), ("|", "BitOr"), ("^", "BitXor")] {
        let s = ret_shape(&format!("def f(a: S4, b: S4):\n    return a {op} b\n"));
        assert_eq!(s, format!("{kind}:S4(local:S4, local:S4)"));
    }
    assert_eq!(ret_shape("def f(a: S4, b: S4):\n    return a / b\n"), "Div:F8(IntToFloat:F8(local:S4), IntToFloat:F8(local:S4))");
    assert_eq!(ret_shape("def f(a: S4):\n    return -a\n"), "Neg:S4(local:S4)");
    assert_eq!(ret_shape("def f(a: S4):\n    return +a\n"), "Pos:S4(local:S4)");
    assert_eq!(ret_shape("def f(a: S4):\n    return ~a\n"), "Invert:S4(local:S4)");
    assert_eq!(ret_shape("def f(a: S4):\n    return not a\n"), "not:B1(Truth:B1(local:S4))");
}

#[test]
fn comparisons_and_chains() {
    assert_eq!(ret_shape("def f(a: F8, b: F8):\n    return a >= b\n"), "Ge:B1(local:F8, local:F8)");
    let k = ok("def f(a: S4, b: S4, c: S4):\n    return a < b <= c\n");
    assert_eq!(shape(first_return(&k)), "and:B1(Lt:B1(local:S4, bind:S4(local:S4)), Le:B1(local:S4, local:S4))");
    // The hidden local holding `b` is a local of the kernel.
    assert_eq!(k.locals.len(), 4);
    assert_eq!(k.locals[3].ty, Ty::S4);
    // A literal in the middle is not bound.
    assert_eq!(ret_shape("def f(a: U1, c: U1):\n    return a < 3 < c\n"), "and:B1(Lt:B1(local:U1, const:U1), Lt:B1(const:U1, local:U1))");
}

#[test]
fn and_or_and_conditional_expressions() {
    assert_eq!(ret_shape("def f(a: S4, b: F8):\n    return a and b\n"), "and:F8(IntToFloat:F8(local:S4), local:F8)");
    assert_eq!(ret_shape("def f(a: S4, b: S4):\n    return a or b or 1\n"), "or:S4(or:S4(local:S4, local:S4), const:S4)");
    let k = ok("def f(a: S4, b: F8):\n    if a and b:\n        return 1\n    return 0\n");
    let StmtKind::If { cond, .. } = &k.body[0].kind else { panic!() };
    assert_eq!(shape(cond), "and:B1(Truth:B1(local:S4), Truth:B1(local:F8))");
    assert_eq!(ret_shape("def f(a: U1, b: U2):\n    return a if a > b else b\n"), "ifelse:U2(Gt:B1(IntWrap:U2(local:U1), local:U2), IntWrap:U2(local:U1), local:U2)");
}

#[test]
fn assignments() {
    let k = ok("def f(x: F8):\n    a = x\n    a += 1\n    b: F4 = 2\n    c = d = a\n    a, b = b, a\n    return a\n");
    assert_eq!((local_ty(&k, "a"), local_ty(&k, "b"), local_ty(&k, "c"), local_ty(&k, "d")), (Ty::F8, Ty::F4, Ty::F8, Ty::F8));
    let StmtKind::Assign { targets, values } = &k.body[1].kind else { panic!() };
    assert_eq!((targets.len(), shape(&values[0])), (1, "Add:F8(local:F8, const:F8)".to_string()));
    let StmtKind::Assign { values, .. } = &k.body[3].kind else { panic!() };
    assert_eq!(values.iter().map(shape).collect::<Vec<_>>(), ["bind:F8(local:F8)", "local:F8"]);
    let StmtKind::Assign { targets, values } = &k.body[4].kind else { panic!() };
    assert_eq!(targets.len(), 2);
    assert_eq!(values.iter().map(shape).collect::<Vec<_>>(), ["FloatToFloat:F8(local:F4)", "FloatToFloat:F4(local:F8)"]);
}

#[test]
fn local_types_are_the_join_of_their_values() {
    let k = ok("def f(x: F8, n: int):\n    s = 0\n    for i in range(n):\n        s += x * 1.5\n    return s\n");
    assert_eq!((local_ty(&k, "s"), local_ty(&k, "i"), k.ret), (Ty::F8, Ty::Int, Ty::F8));
    let k = ok("def f(u: U4):\n    n = 0\n    n += u\n    return n\n");
    assert_eq!((local_ty(&k, "n"), k.ret), (Ty::U4, Ty::U4));
    let k = ok("def f(u: U8):\n    n = 0\n    n += u\n    return n\n");
    assert_eq!(local_ty(&k, "n"), Ty::U8);
    // The result type is the join of the returned values.
    let k = ok("def f(x: F4, n: U1):\n    if n > 0:\n        return n\n    return x\n");
    assert_eq!(k.ret, Ty::F4);
}

#[test]
fn control_flow() {
    let src = "def f(x: S4) -> S4:\n    \"\"\"Docstring.\"\"\"\n    if x > 0:\n        pass\n    elif x < -5:\n        x = -x\n    else:\n        x = 0\n    while x > 10:\n        x -= 3\n        if x == 11:\n            break\n        continue\n    for i in range(3):\n        x += i\n    for i in range(1, 4):\n        x += i\n    for i in range(10, 0, -2):\n        x += i\n    return x\n";
    let k = ok(src);
    assert!(matches!(k.body[0].kind, StmtKind::If { .. }));
    assert!(matches!(k.body[1].kind, StmtKind::While { .. }));
    let StmtKind::ForRange { start, stop, step, .. } = &k.body[4].kind else { panic!() };
    assert_eq!((shape(start), shape(stop), shape(step)), ("const:int".into(), "const:int".into(), "const:int".into()));
    assert!(matches!(step.kind, ExprKind::Const(Scalar::Int(-2))));
    let StmtKind::If { else_body, .. } = &k.body[0].kind else { panic!() };
    assert!(matches!(else_body[0].kind, StmtKind::If { .. }));
    // The counter takes the type of the bounds.
    let k = ok("def f(n: U2) -> U2:\n    s: U2 = 0\n    for i in range(n):\n        s += i\n    return s\n");
    assert_eq!(local_ty(&k, "i"), Ty::U2);
    // `while True` without a fall-through needs no trailing return.
    ok("def f(x: S4) -> S4:\n    while True:\n        x += 1\n        if x > 5:\n            return x\n");
    // Both branches return.
    ok("def f(x: S4) -> S4:\n    if x > 0:\n        return 1\n    else:\n        return 2\n");
}

#[test]
fn builtins_and_casts() {
    let cases = [
        ("abs(x)", "abs:S4(local:S4)"),
        ("min(x, 3)", "min:S4(local:S4, const:S4)"),
        ("max(x, y, 2.5)", "max:F8(IntToFloat:F8(local:S4), local:F8, const:F8)"),
        ("round(y)", "FloatToInt(HalfEven):int(local:F8)"),
        ("round(x)", "local:S4"),
        ("int(y)", "FloatToInt(Trunc):int(local:F8)"),
        ("int(x)", "IntChecked:int(local:S4)"),
        ("float(x)", "IntToFloat:F8(local:S4)"),
        ("bool(y)", "Truth:B1(local:F8)"),
        ("U1(x)", "IntWrap:U1(local:S4)"),
        ("U1(y)", "FloatToInt(Trunc):U1(local:F8)"),
        ("F4(y)", "FloatToFloat:F4(local:F8)"),
        ("B1(x)", "Truth:B1(local:S4)"),
        ("U1(-1)", "const:U1"),
        ("np.uint8(x)", "IntWrap:U1(local:S4)"),
    ];
    for (e, want) in cases {
        assert_eq!(ret_shape(&format!("def f(x: S4, y: F8):\n    return {e}\n")), want, "{e}");
    }
    let k = ok("def f():\n    return U1(-1)\n");
    assert!(matches!(first_return(&k).kind, ExprKind::Const(Scalar::UInt(255))));
}

#[test]
fn math_functions_and_constants() {
    let cases = [
        ("math.sqrt(x)", "sqrt:F8(IntToFloat:F8(local:S4))"),
        ("m.atan2(y, 1)", "atan2:F8(local:F8, const:F8)"),
        ("sqrt(y)", "sqrt:F8(local:F8)"),
        ("math.floor(y)", "FloatToInt(Floor):int(local:F8)"),
        ("math.ceil(x)", "local:S4"),
        ("math.isnan(y)", "isnan:B1(local:F8)"),
        ("math.log(y, 2)", "Div:F8(log:F8(local:F8), log:F8(const:F8))"),
        ("math.pi * y", "Mul:F8(const:F8, local:F8)"),
        ("math.inf", "const:F8"),
    ];
    for (e, want) in cases {
        assert_eq!(ret_shape(&format!("def f(x: S4, y: F8):\n    return {e}\n")), want, "{e}");
    }
}

#[test]
fn module_constants_are_frozen_and_weak() {
    let env = common::env()
        .with("K", Global::Const(Scalar::Int(3), Ty::Int))
        .with("SCALE", Global::Const(Scalar::Float(0.5), Ty::F8))
        .with("BIG", Global::Const(Scalar::Int(300), Ty::Int));
    let k = compile(&def_in("def f(x: U1, y: F4):\n    return x * K + y * SCALE\n", env.clone()), &[]).unwrap();
    assert_eq!(shape(first_return(&k)), "Add:F4(IntToFloat:F4(Mul:U1(local:U1, const:U1)), Mul:F4(local:F4, const:F4))");
    let d = compile(&def_in("def f(x: U1):\n    return x + BIG\n", env), &[]).unwrap_err();
    assert_eq!(where_(&d), (2, 16, "literal BIG does not fit U1".into()));
}

#[test]
fn kernels_call_kernels() {
    let g = Arc::new(def("def g(a, b: F4):\n    return a * b\n"));
    let env = common::env().with("g", Global::Kernel(g));
    let k = compile(&def_in("def f(x: U1) -> F8:\n    return g(x, 2)\n", env.clone()), &[]).unwrap();
    let e = first_return(&k);
    assert_eq!(shape(e), "FloatToFloat:F8(kernel g:F4(local:U1, const:F4))");
    let ExprKind::Convert(_, inner) = &e.kind else { panic!() };
    let ExprKind::CallKernel(callee, _) = &inner.kind else { panic!() };
    assert_eq!((callee.param_types(), callee.ret), (vec![Ty::U1, Ty::F4], Ty::F4));
    // A callee that does not compile: the caller's diagnostic says why, pointing at the call.
    let bad = Arc::new(def("def h(a):\n    print(a)\n    return a\n"));
    let env = env.with("h", Global::Kernel(bad));
    let d = compile(&def_in("def f(x: U1) -> U1:\n    return h(x)\n", env), &[]).unwrap_err();
    assert_eq!(where_(&d), (2, 12, "kernel 'h' cannot be compiled for (U1): k.py, line 2, col 5: call to 'print' is not in the kernel subset".into()));
}

#[test]
fn signatures_for_the_python_layer() {
    let s = signature_of(&def("@chunk_kernel\ndef f(x: F8, n) -> U1:\n    return 0\n")).unwrap();
    assert_eq!(s.name, "f");
    assert_eq!(s.params, vec![("x".to_string(), Some(Ty::F8)), ("n".to_string(), None)]);
    assert_eq!(s.ret, Some(Ty::U1));
    assert!(!s.fully_annotated());
    let d = KernelDef { name: "f".into(), source: Arc::new(Source::new("def f(x: int):\n    return x\n", "a.py", 5)), env: Default::default() };
    assert!(signature_of(&d).unwrap().fully_annotated());
}

#[test]
fn and_or_of_bools_is_a_bool() {
    assert_eq!(ok("def f(a: F8, b: F8, c: B1) -> B1:\n    return a < b or c\n").ret, Ty::B1);
    assert_eq!(ok("def f(a: B1, b: B1):\n    return a and b\n").ret, Ty::B1);
    // mixed with a number, `or` yields either operand: their common type
    assert_eq!(ok("def f(a: B1, n: S4):\n    return a or n\n").ret, Ty::S4);
}
