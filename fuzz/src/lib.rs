//! What one fuzz input does, shared by the cargo-fuzz target and the plain randomized driver:
//! bytes -> source text -> `frontend::signature_of` and `frontend::compile` in an environment
//! with `math`, the scalar types, constants and a helper kernel; a kernel that compiles runs in
//! the reference interpreter (with a step budget) on a few argument sets, and is dumped. No
//! input may panic.

use frontend::env::{Env, Global, KernelDef};
use frontend::interp;
use frontend::ops::MathFn;
use frontend::types::{ALL_TYPES, Ty};
use frontend::{Scalar, Source};
use std::sync::{Arc, OnceLock};

/// Statements and loop iterations one interpreted call may take.
const STEP_BUDGET: u64 = 20_000;

const HELPER: &str = "def helper(a: F8, n: int) -> F8:\n    return a * n + 1.0\n";

fn env() -> &'static Env {
    static ENV: OnceLock<Env> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Env::new().with("math", Global::MathModule).with("m", Global::MathModule);
        for t in ALL_TYPES {
            if t != Ty::Int {
                env = env.with(t.name(), Global::Type(t));
            }
        }
        let helper = KernelDef {
            name: "helper".into(),
            source: Arc::new(Source::new(HELPER, "helper.py", 1)),
            env: env.clone(),
        };
        env.with("np.float64", Global::Type(Ty::F8))
            .with("sqrt", Global::MathFn(MathFn::Sqrt))
            .with("K", Global::Const(Scalar::Int(7), Ty::Int))
            .with("KF", Global::Const(Scalar::Float(0.5), Ty::F8))
            .with("KU", Global::Const(Scalar::UInt(255), Ty::U1))
            .with("data", Global::Other("a list".into()))
            .with("helper", Global::Kernel(Arc::new(helper)))
    })
}

/// The function name after the first `def `, as the Python layer would pass it.
fn name_of(text: &str) -> String {
    text.split("def ")
        .nth(1)
        .and_then(|s| s.split('(').next())
        .map(|s| s.trim().chars().take(64).collect())
        .unwrap_or_else(|| "f".to_string())
}

/// Argument sets for parameters of these types: zeros, ones, the extremes, NaN.
fn argument_sets(types: &[Ty]) -> Vec<Vec<Scalar>> {
    let pick = |t: Ty, which: usize| -> Scalar {
        match t {
            Ty::B1 => Scalar::Bool(which % 2 == 1),
            Ty::F4 | Ty::F8 => Scalar::Float([0.0, 1.0, f64::MAX, f64::NAN, -2.5][which % 5]),
            t if t.is_unsigned() => Scalar::UInt([0, 1, t.int_range().map_or(0, |r| r.1 as u64), 2, 7][which % 5]),
            t => Scalar::Int([0, 1, t.int_range().map_or(0, |r| r.0 as i64), -1, 3][which % 5]),
        }
    };
    (0..5).map(|w| types.iter().map(|&t| pick(t, w)).collect()).collect()
}

/// What became of one input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// A diagnostic (the usual case for random text).
    Diagnosed,
    /// It compiled, ran in the interpreter and (with feature `lower`) lowered.
    Compiled,
    /// Checked IR the code generator refused: a bug (only with feature `lower`).
    LowerFailed(String),
}

/// One fuzz input.
pub fn run_source(data: &[u8]) -> Outcome {
    let text = String::from_utf8_lossy(data).into_owned();
    let def = KernelDef { name: name_of(&text), source: Arc::new(Source::new(text, "fuzz.py", 1)), env: env().clone() };
    let Ok(sig) = frontend::signature_of(&def) else {
        // Still exercise compile on text the signature pass rejected.
        let _ = frontend::compile(&def, &[Ty::F8]);
        return Outcome::Diagnosed;
    };
    let extra = [Ty::F8, Ty::Int, Ty::U1, Ty::B1];
    let types: Vec<Ty> = sig
        .params
        .iter()
        .enumerate()
        .map(|(i, (_, t))| t.unwrap_or(extra[i % extra.len()]))
        .collect();
    let kernel = match frontend::compile(&def, &types) {
        Ok(k) => k,
        Err(d) => {
            let _ = d.render();
            return Outcome::Diagnosed;
        }
    };
    let _ = frontend::dump::dump(&kernel);
    for args in argument_sets(&types) {
        let _ = interp::call_with_budget(&kernel, &args, STEP_BUDGET);
    }
    #[cfg(feature = "lower")]
    {
        static SYMBOLS: OnceLock<()> = OnceLock::new();
        SYMBOLS.get_or_init(|| {
            lower::set_math_symbols(frontend::mathfn::symbol);
        });
        for kind in [lower::LoopKind::Map] {
            let spec = lower::LoopSpec::scalar(&kernel, kind);
            if let Err(e) = lower::compile(&kernel, &spec) {
                return Outcome::LowerFailed(e.to_string());
            }
        }
    }
    Outcome::Compiled
}
