//! Runs the CPython oracle (tests/data/cpython_oracle.py) on a batch of float inputs.
//! Skips (returns None, with a message) when no CPython 3.11 is on this machine: the expected
//! results are those of 3.11's `math` module (3.12 changed hypot's rounding).

use std::io::Write;
use std::process::{Command, Stdio};

/// A CPython 3.11 interpreter: $CHUNKJIT_PYTHON, else `python3.11`, else `python3` if it is 3.11.
pub fn python() -> Option<String> {
    let mut candidates = Vec::new();
    if let Ok(p) = std::env::var("CHUNKJIT_PYTHON") {
        candidates.push(p);
    }
    candidates.push("python3.11".to_string());
    candidates.push("python3".to_string());
    for exe in candidates {
        let out = Command::new(&exe)
            .args(["-c", "import sys; print('%d.%d' % sys.version_info[:2])"])
            .output();
        if let Ok(out) = out
            && out.status.success()
            && String::from_utf8_lossy(&out.stdout).trim() == "3.11"
        {
            return Some(exe);
        }
    }
    eprintln!("SKIPPED: no CPython 3.11 found (set CHUNKJIT_PYTHON) - CPython comparison not run");
    None
}

/// What CPython gave for one input.
#[derive(Clone, Debug, PartialEq)]
pub enum PyResult {
    Value(f64),
    /// The exception class name, or "complex".
    Error(String),
}

/// Evaluates `name(x, y)` in CPython for every query (see cpython_oracle.py for the names).
pub fn run_oracle(python: &str, queries: &[(&str, f64, f64)]) -> Vec<PyResult> {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/cpython_oracle.py");
    let mut child = Command::new(python)
        .arg(script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("start python");
    let mut input = String::new();
    for (name, x, y) in queries {
        input.push_str(&format!(
            "{} {:016x} {:016x}\n",
            name,
            x.to_bits(),
            y.to_bits()
        ));
    }
    let mut stdin = child.stdin.take().expect("stdin");
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let out = child.wait_with_output().expect("python output");
    writer.join().expect("writer").expect("write queries");
    assert!(out.status.success(), "oracle failed");
    let text = String::from_utf8(out.stdout).expect("utf8");
    let results: Vec<PyResult> = text
        .lines()
        .map(|line| match line.split_once(' ') {
            Some(("ok", bits)) => {
                PyResult::Value(f64::from_bits(u64::from_str_radix(bits, 16).expect("hex")))
            }
            Some(("err", name)) => PyResult::Error(name.to_string()),
            _ => panic!("bad oracle line {line:?}"),
        })
        .collect();
    assert_eq!(results.len(), queries.len());
    results
}

/// Same value, bit for bit, any NaN equal to any NaN.
pub fn same_bits(a: f64, b: f64) -> bool {
    a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan())
}

/// Deterministic pseudo-random numbers (xorshift64*), so failures reproduce.
pub struct Rng(pub u64);

impl Rng {
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545F4914F6CDD1D)
    }

    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// A float from a mix of distributions: any bit pattern, uniform on several scales,
    /// near integers and half-integers, subnormals.
    pub fn float(&mut self) -> f64 {
        let sign = if self.next_u64() & 1 == 0 { 1.0 } else { -1.0 };
        match self.next_u64() % 8 {
            0 => f64::from_bits(self.next_u64()),
            1 => sign * self.unit(),
            2 => sign * self.unit() * 4.0,
            3 => sign * self.unit() * 40.0,
            4 => sign * self.unit() * 800.0,
            5 => {
                let n = (self.next_u64() % 400) as f64 - 200.0;
                n + sign * self.unit() * 1e-6
            }
            6 => {
                let n = (self.next_u64() % 400) as f64 / 2.0 - 100.0;
                n + sign * (self.unit() - 0.5) * 1e-12
            }
            _ => {
                // Subnormal or tiny.
                let e = (self.next_u64() % 60) as i32;
                sign * self.unit() * 2f64.powi(-1000 - e)
            }
        }
    }
}

/// Special and boundary floats every function is tried on.
pub fn edge_floats() -> Vec<f64> {
    let mut v = vec![
        0.0,
        -0.0,
        1.0,
        -1.0,
        2.0,
        -2.0,
        0.5,
        -0.5,
        1.5,
        -1.5,
        3.0,
        -3.0,
        0.1,
        10.0,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NAN,
        f64::MIN_POSITIVE,
        -f64::MIN_POSITIVE,
        5e-324,
        -5e-324,
        f64::from_bits(0x000f_ffff_ffff_ffff), // largest subnormal
        f64::MAX,
        f64::MIN,
        f64::EPSILON,
        1.0 + f64::EPSILON,
        1.0 - f64::EPSILON / 2.0,
        -1.0 - f64::EPSILON,
        std::f64::consts::PI,
        std::f64::consts::FRAC_PI_2,
        std::f64::consts::E,
        709.782712893384,
        709.79,
        -745.1332191019411,
        -745.2,
        710.4758600739439,
        171.6243769563027,
        171.7,
        -171.5,
        200.0,
        200.5,
        -200.5,
        -180.5,
        1e-20,
        -1e-20,
        1e-300,
        1e16,
        -1e16,
        4503599627370496.5,
        9007199254740993.0,
        1e300,
        27.0,
        28.0,
        -27.5,
        1e-310,
        -1e-310,
    ];
    let more: Vec<f64> = v.iter().map(|x| x * 3.0).collect();
    v.extend(more.into_iter().filter(|x| x.is_finite()).take(10));
    v
}
