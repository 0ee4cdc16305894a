//! A plain randomized driver for the frontend fuzz input (`chunkjit_fuzz::run_source`), for
//! toolchains where cargo-fuzz/libFuzzer cannot run: mutates and splices seed kernels (the
//! files in `fuzz/seeds/` plus built-in ones) with byte and token edits, for a given number of
//! seconds. Before each input it writes it to `fuzz/artifacts/current.py`, so an abort (a stack
//! overflow is not a panic) leaves the culprit behind; a panic is saved as
//! `fuzz/artifacts/panic-N.py` and counted.
//!
//! cargo run --release --manifest-path fuzz/Cargo.toml --bin random_sources -- SECONDS [SEED]

use std::fs;
use std::panic::{self, AssertUnwindSafe};
use std::path::Path;
use std::time::{Duration, Instant};

const TOKENS: &[&str] = &[
    "(", ")", ":", "\n", "    ", "        ", "\t", "if ", "elif ", "else:", "while ", "for i in range(",
    "return ", "break", "continue", "pass", "x", "y", "n", "i", "0", "1", "-1", "255", "1e308",
    "0.5", "9223372036854775808", "99999999999999999999999999999", "0x", "**", "//", "%", "<<",
    ">>", "&", "|", "^", "~", "not ", " and ", " or ", " if ", " else ", "==", "<=", "<", "+=",
    "=", ",", "math.", "math.sqrt(", "math.floor(", "math.pow(", "U8(", "S1(", "F4(", "B1(",
    "int(", "float(", "round(", "abs(", "min(", "max(", "helper(", "K", "KF", "KU", "data",
    "lambda", "[", "]", "{", "}", "'", "\"", "\\", "é", "π", "\u{0}", "#", "def f(x: F8) -> F8:\n",
    "def g(x):\n", "@chunk_kernel\n", "x: U1 = ", "a, b = b, a", "global x", "yield", "await ",
    "\r\n", ";", "...", "None", "True", "False",
];

const SEEDS: &[&str] = &[
    "def f(x: F8) -> F8:\n    return x * 2.0 + 1.0\n",
    "def f(x: U8) -> U8:\n    x ^= x >> 33\n    x *= 0xFF51AFD7ED558CCD\n    return x\n",
    "def f(c: F8) -> S4:\n    z = 0.0\n    n: S4 = 0\n    while n < 50 and z * z <= 4.0:\n        z = z * z + c\n        n += 1\n    return n\n",
    "def f(x: int, y: int) -> int:\n    a, b = x, y\n    for i in range(3):\n        if a > b:\n            a, b = b, a\n        elif a == b:\n            break\n        else:\n            continue\n    return a // b + a % b\n",
    "def f(p: U1) -> U1:\n    v = S4(p) * 3 // 2 + 10\n    if v > 255:\n        v = 255\n    return U1(v)\n",
    "def f(x: F4, y: F8) -> B1:\n    return math.isnan(x) or 0.0 < y <= math.inf and not x\n",
    "def f(x, y):\n    return helper(x, y) if x else min(x, y, K) ** 2\n",
    "def f(x: S2) -> F8:\n    return math.hypot(x, KF) + math.floor(x / 3) + round(float(x)) + sqrt(abs(x))\n",
];

/// xorshift64*: small, deterministic, no dependencies.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 { 0 } else { (self.next() % n as u64) as usize }
    }
}

fn mutate(rng: &mut Rng, seeds: &[Vec<u8>]) -> Vec<u8> {
    let mut data = seeds[rng.below(seeds.len())].clone();
    for _ in 0..1 + rng.below(6) {
        let at = rng.below(data.len() + 1);
        match rng.below(7) {
            0 => data.splice(at..at, TOKENS[rng.below(TOKENS.len())].bytes()).for_each(drop),
            1 if !data.is_empty() => {
                let end = (at + 1 + rng.below(8)).min(data.len());
                data.drain(at.min(end)..end);
            }
            2 if at < data.len() => data[at] = rng.next() as u8,
            3 if !data.is_empty() => {
                let start = rng.below(data.len());
                let end = (start + 1 + rng.below(40)).min(data.len());
                let piece = data[start..end].to_vec();
                data.splice(at..at, piece).for_each(drop);
            }
            4 => {
                // Splice the tail of another seed in.
                let other = &seeds[rng.below(seeds.len())];
                let from = rng.below(other.len() + 1);
                data.truncate(at);
                data.extend_from_slice(&other[from..]);
            }
            5 => {
                // Deep nesting: a run of one opening token.
                let token = ["(", "-", "not ", "abs(", "    if x:\n", "[", "x if x else "][rng.below(7)];
                let n = 1 + rng.below(400);
                data.splice(at..at, token.repeat(n).bytes()).for_each(drop);
            }
            _ => data.splice(at..at, TOKENS[rng.below(TOKENS.len())].repeat(1 + rng.below(3)).bytes()).for_each(drop),
        }
    }
    data
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let seconds: u64 = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(60);
    let seed: u64 = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(0x5EED_C0DE);
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    let artifacts = here.join("artifacts");
    let _ = fs::create_dir_all(&artifacts);
    let mut seeds: Vec<Vec<u8>> = SEEDS.iter().map(|s| s.as_bytes().to_vec()).collect();
    if let Ok(dir) = fs::read_dir(here.join("seeds")) {
        for entry in dir.flatten() {
            if let Ok(bytes) = fs::read(entry.path()) {
                seeds.push(bytes);
            }
        }
    }
    // Panics are counted and saved, not printed one by one.
    panic::set_hook(Box::new(|_| {}));
    let mut rng = Rng(seed | 1);
    let started = Instant::now();
    let (mut runs, mut compiled, mut panics, mut lower_failures) = (0u64, 0u64, 0u64, 0u64);
    let current = artifacts.join("current.py");
    while started.elapsed() < Duration::from_secs(seconds) {
        let data = mutate(&mut rng, &seeds);
        let _ = fs::write(&current, &data);
        match panic::catch_unwind(AssertUnwindSafe(|| chunkjit_fuzz::run_source(&data))) {
            Ok(chunkjit_fuzz::Outcome::Compiled) => compiled += 1,
            Ok(chunkjit_fuzz::Outcome::Diagnosed) => {}
            Ok(chunkjit_fuzz::Outcome::LowerFailed(why)) => {
                lower_failures += 1;
                let _ = fs::write(artifacts.join(format!("lower-{lower_failures}.py")), &data);
                eprintln!("lower failed: {why}");
            }
            Err(_) => {
                panics += 1;
                let _ = fs::write(artifacts.join(format!("panic-{panics}.py")), &data);
            }
        }
        runs += 1;
        if compiled > 0 && runs % 50 == 0 && rng.below(4) == 0 {
            // Keep some inputs that compiled as new seeds, so mutations stay near the subset.
            let text = fs::read(&current).unwrap_or_default();
            if chunkjit_fuzz::run_source(&text) == chunkjit_fuzz::Outcome::Compiled && seeds.len() < 4000 {
                seeds.push(text);
            }
        }
    }
    let _ = fs::remove_file(&current);
    println!(
        "{runs} inputs in {:.0} s: {compiled} compiled, {panics} panics, {lower_failures} lowering failures (seed {seed})",
        started.elapsed().as_secs_f64()
    );
    if panics > 0 || lower_failures > 0 {
        std::process::exit(1);
    }
}
