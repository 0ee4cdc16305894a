//! F8 kernels with branches run as F64X2 vector groups (if-converted, faults as lane masks) and
//! fused pipeline loops with if-converted filters: compiled vs the reference interpreter bit for
//! bit, over whole columns of every length from 1 to 36 (groups of 16 plus a scalar tail) and
//! with faults placed at every position of a group and of the tail.

mod common;
use common::*;
use frontend::env::{Global, KernelDef};
use frontend::pipeline::{self, Stage, Terminal};
use frontend::{FaultKind, Kernel, Scalar, Source, Span, Ty};
use lower::{Compiled, Input, LoopKind, LoopSpec, compile};
use std::sync::Arc;
use std::sync::atomic::AtomicU32;

/// What a whole-column run must give: the values of the elements before the first fault, and
/// that fault (index, kind, site).
struct Expected {
    values: Vec<Scalar>,
    fault: Option<(usize, FaultKind, Span)>,
}

/// The interpreter over `tuples`, element by element, up to the first fault.
fn interpret(kernel: &Kernel, tuples: &[Vec<Scalar>]) -> Expected {
    let mut values = Vec::new();
    for (k, args) in tuples.iter().enumerate() {
        match frontend::interp::call(kernel, args) {
            Ok(o) => values.push(o.value),
            Err(f) => {
                return Expected {
                    values,
                    fault: Some((k, f.kind, f.site.span)),
                };
            }
        }
    }
    Expected {
        values,
        fault: None,
    }
}

/// Runs `c` (a map over F8 columns) on `tuples` and checks it against the interpreter.
fn check_run(c: &Compiled, kernel: &Kernel, tuples: &[Vec<Scalar>], what: &str) {
    let want = interpret(kernel, tuples);
    let cols: Vec<Column> = (0..kernel.params.len())
        .map(|i| Column::new(Ty::F8, &tuples.iter().map(|t| t[i]).collect::<Vec<_>>()))
        .collect();
    let ptrs: Vec<*const u8> = cols.iter().map(|c| c.bytes.as_ptr()).collect();
    let (status, fail, out) = run_map(c, &ptrs, tuples.len(), kernel.ret);
    match want.fault {
        None => assert_eq!(status, 0, "{what}: {:?}", c.decode(status)),
        Some((k, kind, span)) => {
            let got = c
                .decode(status)
                .unwrap_or_else(|| panic!("{what}: status {status}, want {kind:?} at {k}"));
            assert_eq!(
                (fail, got.kind, got.site.span),
                (k as u64, kind, span),
                "{what}"
            );
        }
    }
    for (k, want) in want.values.iter().enumerate() {
        assert!(
            same(out[k], *want),
            "{what}: element {k} {:?}: compiled {:?}, interpreted {want:?}",
            tuples[k],
            out[k]
        );
    }
}

fn vectorized(c: &Compiled) -> bool {
    c.clif().contains("f64x2")
}

fn f8s(values: &[f64]) -> Vec<Vec<Scalar>> {
    values.iter().map(|&x| vec![Scalar::Float(x)]).collect()
}

/// F8 boundary values: zeros, ±1, NaN, ±inf, subnormals, MIN/MAX and ordinary values.
fn boundaries() -> Vec<f64> {
    let mut v = float_boundaries();
    v.extend([
        1e-310,
        -1e-310,
        -2.0,
        2.0,
        4.0,
        -4.0,
        1e-300,
        -f64::MIN_POSITIVE,
    ]);
    v
}

/// `src` compiled as a map over F8 columns (vectorized: asserted) and checked on every window
/// of length 1..=36 of the boundary values (and on all of them at once).
fn check_vectorized(src: &str) {
    check_kernel(&checked(src, env()));
}

fn check_kernel(kernel: &Kernel) {
    let c = compile_columns(kernel);
    assert!(
        vectorized(&c),
        "{} is not vectorized:\n{}",
        kernel.name,
        c.clif()
    );
    let vals = boundaries();
    let tuples: Vec<Vec<Scalar>> = match kernel.params.len() {
        1 => f8s(&vals),
        _ => {
            // Pairs: every value against a rotation of the others.
            let n = vals.len();
            (0..n * 3)
                .map(|k| {
                    (0..kernel.params.len())
                        .map(|p| Scalar::Float(vals[(k + p * (1 + k / n)) % n]))
                        .collect()
                })
                .collect()
        }
    };
    check_run(&c, kernel, &tuples, &format!("{} all", kernel.name));
    // The loop `compile` falls back to should the vector body ever fail to emit.
    let scalar = lower::compile_with(kernel, &columns(kernel), false)
        .unwrap_or_else(|err| panic!("compile_with(.., false) failed: {err}"));
    assert!(
        !vectorized(&scalar),
        "{} vectorized with vectorize=false",
        kernel.name
    );
    check_run(
        &scalar,
        kernel,
        &tuples,
        &format!("{} all, scalar", kernel.name),
    );
    for len in 1..=36 {
        for start in (0..tuples.len().saturating_sub(len)).step_by(7) {
            let w = &tuples[start..start + len];
            check_run(&c, kernel, w, &format!("{} [{start}..+{len}]", kernel.name));
        }
    }
}

#[test]
fn conditional_expressions_and_math() {
    check_vectorized("def f(x: F8) -> F8:\n    return math.sqrt(x) if x > 0.0 else -x * 0.5\n");
    check_vectorized(
        "def f(x: F8, y: F8) -> F8:\n    return (x / y if y != 0.0 else x) + (abs(x) if x < y else math.fabs(y - x))\n",
    );
    check_vectorized(
        "def f(x: F8, y: F8) -> F8:\n    return min(x, y) + max(y, x) * 2.0 - min(x, 0.5, y) + max(-0.0, x)\n",
    );
    check_vectorized(
        "def f(x: F8) -> F8:\n    return float(x > 0.0) + float(math.isnan(x)) * 2.0 + float(math.isinf(x) and x > 0.0) * 4.0 + float(math.isfinite(x)) * 8.0\n",
    );
    check_vectorized(
        "def f(x: F8, y: F8) -> F8:\n    return x if -1.0 < x <= y or not (y == y) else (y if bool(x) else -y)\n",
    );
}

#[test]
fn if_statements_with_assignments_and_returns() {
    check_vectorized(
        "def f(x: F8, y: F8) -> F8:
    if x > y:
        r = math.sqrt(x - y)
        if r > 1.0:
            return r
    elif x != x or y != y:
        return 0.0
    else:
        r = -(y - x) * 0.5
    r = min(r, x) + max(y, r, 0.5)
    return r / (x - 1.0)
",
    );
    check_vectorized(
        "def f(x: F8) -> F8:
    a = 0.0
    if x < -1.0:
        a = x * x
    if not x < 1.0:
        a = a - x
    elif x == 0.0:
        return x
    return a
",
    );
}

#[test]
fn inlined_kernels_with_early_returns() {
    let g = "def g(x: F8) -> F8:\n    if x < 0.0:\n        return -math.sqrt(-x)\n    return math.sqrt(x) / (x - 4.0)\n";
    let g_def = Arc::new(KernelDef {
        name: "g".into(),
        source: Arc::new(Source::new(g, "g.py", 10)),
        env: env(),
    });
    let f = "def f(x: F8) -> F8:\n    return g(x) + g(-x * 0.5) if x == x else 1.0\n";
    check_kernel(&checked(f, env().with("g", Global::Kernel(g_def))));
}

/// Puts `bad` at `positions` of a column of `fill`: the first must be the reported fault.
fn check_fault_positions(src: &str, fill: &[f64], bad: f64, len: usize) {
    let kernel = checked(src, env());
    let c = compile_columns(&kernel);
    assert!(vectorized(&c));
    let column: Vec<f64> = (0..len).map(|k| fill[k % fill.len()]).collect();
    // No fault at all: the masked arm of every lane would fault if it were not masked.
    check_run(&c, &kernel, &f8s(&column), "no fault");
    for p in 0..len {
        let mut one = column.clone();
        one[p] = bad;
        let want = interpret(&kernel, &f8s(&one));
        assert_eq!(want.fault.map(|f| f.0), Some(p), "the test's own premise");
        check_run(&c, &kernel, &f8s(&one), &format!("fault at {p} of {len}"));
        for q in p + 1..len {
            let mut two = one.clone();
            two[q] = bad;
            check_run(
                &c,
                &kernel,
                &f8s(&two),
                &format!("faults at {p}, {q} of {len}"),
            );
        }
    }
}

#[test]
fn faults_only_in_the_lanes_that_take_the_arm() {
    // sqrt of a negative in the arm taken for x > -10: -20 takes the other arm (no fault),
    // -4 takes it (MathDomain).
    let sqrt_src = "def f(x: F8) -> F8:\n    return math.sqrt(x) if x > -10.0 else -x\n";
    // Division by zero in the arm taken for x > 0: x == 1 divides by zero.
    let div_src = "def f(x: F8) -> F8:\n    if x > 0.0:\n        return 1.0 / (x - 1.0)\n    return 1.0 / x if x < 0.0 else x\n";
    for len in [1, 7, 8, 9, 15, 16, 17, 20, 31, 32, 33] {
        check_fault_positions(sqrt_src, &[-20.0, 4.0, -0.0, f64::NAN, 9.0], -4.0, len);
        check_fault_positions(div_src, &[0.0, -0.0, 2.0, -3.0, f64::INFINITY], 1.0, len);
    }
}

/// A body long enough for groups of 8 vectors (see `vector::vectors`), with a guarded `sqrt`.
const LONG_SRC: &str = "def f(x: F8) -> F8:
    a = x * 0.5 + 0.25
    a = a * x - 0.125
    a = a * x + 0.0625
    a = a * x - 0.03125
    a = a * x + 1.5
    b = a * a - x * 0.75
    return math.sqrt(x) * b if x > -10.0 else b - x
";

#[test]
fn long_bodies_run_groups_of_sixteen_and_short_ones_of_eight() {
    // One F8 input: a group loads one F64X2 per vector.
    let loads = |src: &str| {
        compile_columns(&checked(src, env()))
            .clif()
            .matches("load.f64x2")
            .count()
    };
    assert_eq!(loads("def f(x: F8) -> F8:\n    return x * 2.0 + 1.0\n"), 4);
    assert_eq!(loads(LONG_SRC), 8);
    check_vectorized(LONG_SRC);
    for len in [1, 15, 16, 17, 31, 32, 33] {
        check_fault_positions(LONG_SRC, &[-20.0, 4.0, -0.0, f64::NAN, 9.0, 0.5], -4.0, len);
    }
}

// ---- pipelines ------------------------------------------------------------------------------

fn stage_kernel(src: &str) -> Arc<Kernel> {
    Arc::new(checked(src, env()))
}

/// Runs a loop over one F8 column with `out` as the output buffer: (status, fail index).
fn run_loop(c: &Compiled, xs: &[f64], out: &mut [u8]) -> (u32, u64) {
    let flag = AtomicU32::new(0);
    let mut fail = u64::MAX;
    let ptrs = [xs.as_ptr() as *const u8];
    // SAFETY: `xs` holds `xs.len()` F8 elements; `out` holds the accumulator or `xs.len()` F8
    // outputs, as the caller sized it for the loop kind.
    let status = unsafe {
        (c.loop_fn())(
            ptrs.as_ptr(),
            out.as_mut_ptr(),
            xs.len() as u64,
            &flag,
            &mut fail,
        )
    };
    (status, fail)
}

fn column_spec(kind: LoopKind) -> LoopSpec {
    LoopSpec {
        kind,
        inputs: vec![Input {
            storage: Ty::F8,
            broadcast: false,
        }],
    }
}

/// The stages run one by one in the interpreter: the kept values, or the first fault's index.
fn stages_by_interpreter(stages: &[Stage], xs: &[f64]) -> Result<Vec<f64>, (usize, FaultKind)> {
    let mut kept = Vec::new();
    'elements: for (k, &x) in xs.iter().enumerate() {
        let mut v = Scalar::Float(x);
        for stage in stages {
            let r = frontend::interp::call(stage.kernel(), &[v]).map_err(|f| (k, f.kind))?;
            match stage {
                Stage::Map(_) => v = r.value,
                Stage::Filter(_) if r.value == Scalar::Bool(false) => continue 'elements,
                Stage::Filter(_) => {}
            }
        }
        kept.push(v.as_f64());
    }
    Ok(kept)
}

fn check_pipeline(stages: &[Stage], xs: &[f64]) {
    let want = stages_by_interpreter(stages, xs);
    // Collect: the kept values in order, compacted; `*fail_index` is their count.
    let collect = pipeline::build(Ty::F8, stages, &Terminal::Collect).unwrap();
    let c = compile(&collect, &column_spec(LoopKind::Collect)).unwrap();
    let mut out = vec![0u8; xs.len() * 8];
    let (status, fail) = run_loop(&c, xs, &mut out);
    match &want {
        Ok(kept) => {
            assert_eq!((status, fail), (0, kept.len() as u64), "{xs:?}");
            for (k, v) in kept.iter().enumerate() {
                let got = f64::from_le_bytes(out[k * 8..k * 8 + 8].try_into().unwrap());
                assert!(
                    same(Scalar::Float(got), Scalar::Float(*v)),
                    "kept {k}: {got} vs {v}"
                );
            }
        }
        Err((k, kind)) => {
            assert_eq!(
                (c.decode(status).map(|f| f.kind), fail),
                (Some(*kind), *k as u64)
            );
        }
    }
    // Sum from -0.0 (the identity: an empty or all-(-0.0) sum stays -0.0): the kept values
    // added in order, bit for bit.
    let sum = pipeline::build(Ty::F8, stages, &Terminal::Sum).unwrap();
    let c = compile(&sum, &column_spec(LoopKind::Reduce)).unwrap();
    for initial in [-0.0f64, 0.0, 1.5] {
        let mut acc = initial.to_le_bytes();
        let (status, fail) = run_loop(&c, xs, &mut acc);
        match &want {
            Ok(kept) => {
                let total = kept.iter().fold(initial, |a, v| a + v);
                let got = f64::from_le_bytes(acc);
                assert_eq!(status, 0);
                assert!(
                    same(Scalar::Float(got), Scalar::Float(total)),
                    "sum from {initial}: {got} vs {total} over {xs:?}"
                );
            }
            Err((k, kind)) => {
                assert_eq!(
                    (c.decode(status).map(|f| f.kind), fail),
                    (Some(*kind), *k as u64)
                );
            }
        }
    }
}

#[test]
fn fused_filters_and_maps_agree_with_the_stages() {
    let positive = stage_kernel("def positive(x: F8) -> B1:\n    return x > 0.0\n");
    let not_nan = stage_kernel("def not_nan(x: F8) -> B1:\n    return x == x\n");
    let affine = stage_kernel("def affine(x: F8) -> F8:\n    return x * 2.0 + 1.0\n");
    let branchy = stage_kernel(
        "def branchy(x: F8) -> F8:\n    return math.sqrt(x) if x > 0.0 else -x * 0.5\n",
    );
    let root = stage_kernel("def root(x: F8) -> F8:\n    return math.sqrt(x - 1.0)\n");
    let inverse = stage_kernel("def inverse(x: F8) -> F8:\n    return 1.0 / (x - 3.0)\n");
    let mut xs = boundaries();
    xs.extend([-0.0, -0.0, 3.0, 1.0, 0.5]);
    let chains: Vec<Vec<Stage>> = vec![
        vec![Stage::Filter(positive.clone()), Stage::Map(affine.clone())],
        vec![
            Stage::Map(affine.clone()),
            Stage::Map(branchy.clone()),
            Stage::Map(affine.clone()),
        ],
        // A filter that keeps the values a later stage could fault on only when safe.
        vec![
            Stage::Map(branchy.clone()),
            Stage::Filter(positive.clone()),
            Stage::Map(root.clone()),
            Stage::Filter(not_nan.clone()),
        ],
        // Faults in the part after a filter: only for kept elements.
        vec![Stage::Filter(positive.clone()), Stage::Map(inverse.clone())],
        vec![Stage::Map(inverse.clone())],
    ];
    for stages in &chains {
        check_pipeline(stages, &xs);
        for len in 1..=36 {
            for start in (0..xs.len() - len).step_by(5) {
                check_pipeline(stages, &xs[start..start + len]);
            }
        }
    }
    // Only negative zeros (and filtered-out values): the sum keeps -0.0.
    check_pipeline(
        &[Stage::Filter(not_nan), Stage::Map(branchy)],
        &[-0.0, f64::NAN, -0.0, f64::NAN],
    );
}

#[test]
fn filter_free_collect_pipelines_are_vectorized() {
    let affine = stage_kernel("def affine(x: F8) -> F8:\n    return x * 2.0 + 1.0\n");
    let branchy = stage_kernel(
        "def branchy(x: F8) -> F8:\n    return math.sqrt(x) if x > 0.0 else -x * 0.5\n",
    );
    let stages = [Stage::Map(affine), Stage::Map(branchy)];
    let collect = pipeline::build(Ty::F8, &stages, &Terminal::Collect).unwrap();
    let c = compile(&collect, &column_spec(LoopKind::Collect)).unwrap();
    assert!(vectorized(&c), "{}", c.clif());
}
