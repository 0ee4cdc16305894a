//! Kernels compiled from Python source (`frontend::compile`) agree with the reference
//! interpreter (`frontend::interp::call`) bit for bit on boundary inputs: the value (NaN payload
//! aside), or the fault kind, its site and the failing element index — per element (scalar
//! entry and one-element column calls) and over whole columns.

mod common;
use common::*;
use frontend::env::{Global, KernelDef};
use frontend::{Kernel, Scalar, Source, Ty};
use lower::{CallError, LoopKind, LoopSpec, call_scalar, compile};
use std::sync::Arc;

fn values_of(ty: Ty, limit: usize) -> Vec<Scalar> {
    let all: Vec<Scalar> = match ty {
        Ty::B1 => vec![Scalar::Bool(false), Scalar::Bool(true)],
        Ty::F8 => float_boundaries().into_iter().map(Scalar::Float).collect(),
        Ty::F4 => float_boundaries()
            .into_iter()
            .map(|v| Scalar::Float(v as f32 as f64))
            .collect(),
        t => int_boundaries(t)
            .into_iter()
            .map(|v| int_scalar(v, t))
            .collect(),
    };
    let step = all.len().div_ceil(limit).max(1);
    all.into_iter().step_by(step).collect()
}

/// Every combination of boundary values of the parameter types (fewer per parameter when there
/// are more parameters).
fn argument_tuples(kernel: &Kernel) -> Vec<Vec<Scalar>> {
    let per = match kernel.params.len() {
        0 | 1 => 64,
        2 => 40,
        _ => 12,
    };
    let mut tuples = vec![Vec::new()];
    for p in &kernel.params {
        let vals = values_of(p.ty, per);
        tuples = tuples
            .iter()
            .flat_map(|t| {
                vals.iter().map(move |v| {
                    let mut t = t.clone();
                    t.push(*v);
                    t
                })
            })
            .collect();
    }
    tuples
}

fn agree(kernel: &Kernel) {
    let scalar = compile(kernel, &LoopSpec::scalar(kernel, LoopKind::Map)).unwrap();
    let column = compile_columns(kernel);
    let tuples = argument_tuples(kernel);
    let cols: Vec<Column> = kernel
        .params
        .iter()
        .enumerate()
        .map(|(i, p)| Column::new(p.ty, &tuples.iter().map(|t| t[i]).collect::<Vec<_>>()))
        .collect();
    let mut first_fault = None;
    let mut wants = Vec::with_capacity(tuples.len());
    for (k, args) in tuples.iter().enumerate() {
        let want = frontend::interp::call(kernel, args);
        let by_scalar = call_scalar(&scalar, args);
        let by_column = run_one(&column, &cols, k, kernel.ret);
        match &want {
            Ok(outcome) => {
                match by_scalar {
                    Ok(v) => assert!(
                        same(v, outcome.value),
                        "{}{args:?}: compiled {v:?}, interpreted {:?}",
                        kernel.name,
                        outcome.value
                    ),
                    Err(e) => panic!(
                        "{}{args:?}: compiled {e}, interpreted {:?}",
                        kernel.name, outcome.value
                    ),
                }
                let v =
                    by_column.unwrap_or_else(|f| panic!("{}{args:?}: column {f:?}", kernel.name));
                assert!(
                    same(v, outcome.value),
                    "{}{args:?}: column {v:?}, interpreted {:?}",
                    kernel.name,
                    outcome.value
                );
            }
            Err(fault) => {
                first_fault.get_or_insert(k);
                match by_scalar {
                    Err(CallError::Fault(f)) => {
                        assert_eq!(
                            (f.kind, f.site.span),
                            (fault.kind, fault.site.span),
                            "{}{args:?}",
                            kernel.name
                        );
                        assert_eq!(f.site.source.file, fault.site.source.file);
                    }
                    other => panic!(
                        "{}{args:?}: compiled {other:?}, interpreted fault {:?}",
                        kernel.name, fault.kind
                    ),
                }
                assert_eq!(
                    by_column,
                    Err((fault.kind, fault.site.span)),
                    "{}{args:?}",
                    kernel.name
                );
            }
        }
        wants.push(want);
    }
    // The whole column at once: the first failing element, and every element before it.
    let ptrs: Vec<*const u8> = cols.iter().map(|c| c.bytes.as_ptr()).collect();
    let (status, fail, out) = run_map(&column, &ptrs, tuples.len(), kernel.ret);
    match first_fault {
        None => assert_eq!(status, 0),
        Some(k) => {
            assert_eq!(fail, k as u64, "{}: first failing element", kernel.name);
            assert!(column.decode(status).is_some());
        }
    }
    let done = first_fault.unwrap_or(tuples.len());
    for k in 0..done {
        let want = wants[k].as_ref().map(|o| o.value).unwrap();
        assert!(same(out[k], want), "{} element {k}", kernel.name);
    }
}

fn check(src: &str) {
    agree(&checked(src, env()));
}

#[test]
fn int_arithmetic() {
    check("def f(a: int, b: int) -> int:\n    return a // b + a % b - a * b\n");
    check("def f(a: int, b: int) -> int:\n    return (a << (b & 70)) + (a >> b) - a ** (b & 7)\n");
    check("def f(a: int, b: int) -> int:\n    return -a + abs(b) + ~a\n");
    check("def f(a: int, b: int) -> int:\n    return a ** b\n");
}

#[test]
fn width_arithmetic() {
    check("def f(a: U1, b: S2) -> S4:\n    return (a << 3) - b ** 2 + (b >> a) + b // (a - 3)\n");
    check("def f(a: U8, b: U8) -> U8:\n    return a // b * b + a % b - (a ** 3) ^ ~b\n");
    check("def f(a: S1, b: S1) -> S1:\n    return -a // b + abs(b) % (a | 1) + (a << b)\n");
    check("def f(a: S8, b: S8) -> S8:\n    return a * b - (a >> b) + a // b\n");
    check("def f(a: U4, b: S4) -> S8:\n    return a * b + a // 3 - b % 7\n");
}

#[test]
fn float_arithmetic() {
    check("def f(x: float, y: float) -> float:\n    return x // y + x % y - x ** y / (y - 1.5)\n");
    check("def f(x: F4, y: F4) -> F4:\n    return x * y - x // y + abs(x) - x % y + x ** y\n");
    check("def f(x: F4, y: float) -> float:\n    return x / y - -x + min(x, y) - max(y, x, 2.5)\n");
}

#[test]
fn conversions() {
    check(
        "def f(x: float) -> int:\n    return int(x) + round(x) - math.floor(x) + math.ceil(x) + math.trunc(x)\n",
    );
    check("def f(x: float) -> U1:\n    return U1(x) + U1(S8(x) & 255)\n");
    check("def f(x: F4) -> S2:\n    return S2(x) + S2(round(x))\n");
    check("def f(a: U8, b: int) -> float:\n    return float(a) + float(b) + F4(b) + a / 3\n");
    check("def f(a: S8) -> U2:\n    return U2(a) + U2(U1(a)) + int(bool(a))\n");
}

#[test]
fn comparisons_and_logic() {
    check(
        "def f(a: U8, b: int) -> bool:\n    return bool(a < b or (a == b and not (a >= 3 > b)))\n",
    );
    check(
        "def f(x: float, y: float) -> bool:\n    return bool(x < y <= 2.0 or x != x or (y == 0.0 and x > -1.0))\n",
    );
    check(
        "def f(x: float, y: float) -> float:\n    return (x and y) + (x or 2.5) + (y if x > y else x)\n",
    );
}

#[test]
fn math_functions() {
    check(
        "def f(x: float, y: float) -> float:\n    return math.exp(x) + math.log(y) + math.atan2(x, y) + math.hypot(x, y)\n",
    );
    check(
        "def f(x: float, y: float) -> float:\n    return math.gamma(y) + math.fmod(x, y) + math.pow(x, y) - math.sqrt(x)\n",
    );
    check(
        "def f(x: float) -> bool:\n    return bool(math.isnan(x) or math.isinf(x) and not math.isfinite(x))\n",
    );
    check(
        "def f(x: float, y: float) -> float:\n    return math.copysign(math.fabs(x), y) + math.lgamma(x) + math.erf(y) + math.tan(x)\n",
    );
}

#[test]
fn loops_and_branches() {
    check(
        "def f(n: int, x: float) -> float:
    s = 0.0
    k = n % 50
    for i in range(k, -k, -3):
        if i % 2 == 0 and x > 0:
            s += x / (i + 0.5)
        elif i > 7 or x != x:
            continue
        else:
            s -= math.sqrt(abs(x)) * i
        if s > 1e6:
            break
    while s > 10.0 and s < 1e300:
        s = s / 3.0
    return s if s == s else -1.0
",
    );
    check(
        "def f(a: S1, b: S1) -> int:
    n = 0
    for i in range(a, b):
        n += i
    for j in range(b, a, -1):
        n -= j * 2
    return n
",
    );
    check(
        "def f(a: U1, b: U1) -> U1:
    x = a
    y = b
    while y != 0:
        x, y = y, x % y
    return x
",
    );
}

#[test]
fn kernel_calls() {
    let g = "def g(x: float, k: int) -> float:
    if k > 3:
        return x // k
    for i in range(k):
        x = x * 2.0 - i
    return x
";
    let g_def = Arc::new(KernelDef {
        name: "g".into(),
        source: Arc::new(Source::new(g, "g.py", 40)),
        env: env(),
    });
    let f = "def f(x: float, k: int) -> float:\n    return g(x, k) - g(-x, k - 1)\n";
    agree(&checked(f, env().with("g", Global::Kernel(g_def))));
}

#[test]
fn if_converted_branches_fault_only_in_the_arm_taken() {
    // Both arms are straight-line and evaluated unconditionally (a select), each with a fault
    // that must be raised only when its arm is the one taken.
    check(
        "def f(x: float, y: float) -> float:\n    return math.sqrt(x) if x > y else -x * 0.5 + math.sqrt(y)\n",
    );
    check("def f(a: int, b: int) -> int:\n    return a + b if a > b else a * b - 1\n");
    check(
        "def f(x: F4, y: F4) -> F4:\n    return (x * y if x < 0.0 else y - x) + (1.0 if x == y else 0.0)\n",
    );
    check("def f(a: U2, b: S1) -> S4:\n    return (a - b) if a != 3 else -(b * 2)\n");
}

#[test]
fn branch_free_and_or_fault_only_where_python_evaluates_the_right_side() {
    // The right operand is cheap and evaluated either way (no branch); its overflow or math
    // error must be raised only where `and`/`or` would evaluate it.
    check("def f(a: int, b: int) -> bool:\n    return a < 0 or a * b > 3\n");
    check("def f(a: int, b: int) -> bool:\n    return a > 0 and a * b - 1 < b\n");
    check("def f(x: float, y: float) -> bool:\n    return x >= 0.0 and math.sqrt(y) > x\n");
    check("def f(a: S4, b: S4) -> S4:\n    return (a - b) and a + 1\n");
    check("def f(x: float, y: float) -> float:\n    return x or y * 2.0\n");
    check(
        "def f(x: F8, y: F8) -> S4:\n    n: S4 = 0\n    while n < 20 and x * x + y * y <= 4.0:\n        x, y = x * x - y * y + 0.25, 2.0 * x * y\n        n += 1\n    return n\n",
    );
}

#[test]
fn vectorized_straight_line_float_kernels() {
    // F8 `+ - *` bodies run two lanes per instruction in groups; the scalar tail takes the rest.
    check(
        "def f(x: float, y: float) -> float:\n    a = x * y - 1.5\n    b = a * a + -x\n    return b * y - a + 0.25\n",
    );
    check(
        "def f(x: float) -> float:\n    acc = 0.5\n    acc = acc * x - 0.25\n    acc = acc * x + 3.0\n    return +acc\n",
    );
    check("def f(x: F8, y: F8) -> F8:\n    x, y = y, x * 2.0\n    return x - y\n");
}
