//! Malformed or hostile sources never panic: they compile or give a diagnostic.
mod common;
use common::*;
use frontend::{DiagKind, compile, signature_of};

fn no_panic(src: &str) -> Result<(), frontend::Diagnostic> {
    let d = def(src);
    let _ = signature_of(&d);
    compile(&d, &[frontend::Ty::F8; 2]).map(|_| ())
}

#[test]
fn syntax_errors_point_at_the_parser_location() {
    let d = err("def f(x: F8) -> F8:\n    return x +\n");
    assert_eq!(d.kind, DiagKind::Syntax);
    assert_eq!(d.location().line, 2);
    let d = err("def f(x: F8) -> F8\n    return x\n");
    assert_eq!(d.kind, DiagKind::Syntax);
    assert_eq!(d.location().line, 1);
}

#[test]
fn empty_and_decorator_only_texts() {
    for src in ["", "   \n", "@chunk_kernel\n", "# a comment\n", "x = 1\n"] {
        let d = no_panic(src).unwrap_err();
        assert_eq!(d.kind, DiagKind::Syntax, "{src:?}");
    }
}

#[test]
fn unicode_identifiers_and_text() {
    let k = ok("def f(größe: F8) -> F8:\n    π = 3.0\n    return größe * π\n");
    assert_eq!(local_ty(&k, "π"), frontend::Ty::F8);
    let d = err("def f(x: F8) -> F8:\n    ü = 'é'\n    return x\n");
    assert_eq!(where_(&d), (2, 9, "a 'str' literal is not in the kernel subset".into()));
}

#[test]
fn deep_parentheses_do_not_overflow() {
    let depth = 10_000;
    let src = format!("def f(x: F8) -> F8:\n    return {}x{}\n", "(".repeat(depth), ")".repeat(depth));
    let _ = no_panic(&src);
    let src = format!("def f(x: F8) -> F8:\n    return {}x\n", "-".repeat(depth));
    let d = no_panic(&src).unwrap_err();
    assert_eq!(d.kind, DiagKind::Unsupported);
    assert!(d.message.contains("nested more than 200 levels"), "{}", d.message);
    let src = format!("def f(x: F8) -> F8:\n    return x{}\n", " + x".repeat(depth));
    assert!(no_panic(&src).is_err());
    let src = format!("def f(x: F8) -> F8:\n    return {}x{}\n", "abs(".repeat(depth), ")".repeat(depth));
    assert!(no_panic(&src).is_err());
}

#[test]
fn nesting_just_under_the_limit_compiles() {
    // The checker recurses over what the parser accepted: it must fit a test thread's stack.
    let src = format!("def f(x: S4) -> S4:\n    return {}x{}\n", "abs(-(".repeat(95), "))".repeat(95));
    let k = ok(&src);
    assert_eq!(k.ret, frontend::Ty::S4);
    let src = format!("def f(x: S4) -> S4:\n    return {}x{}\n", "(x + ".repeat(190), ")".repeat(190));
    ok(&src);
}

#[test]
fn deep_statement_nesting_does_not_overflow() {
    let mut src = String::from("def f(x: F8) -> F8:\n");
    for i in 0..300 {
        src.push_str(&" ".repeat(4 * (i + 1)));
        src.push_str("if x > 0:\n");
    }
    src.push_str(&" ".repeat(4 * 301));
    src.push_str("return x\n    return x\n");
    let d = no_panic(&src).unwrap_err();
    assert!(d.message.contains("nested more than 200 levels"), "{}", d.message);
}

#[test]
fn ten_thousand_line_kernel_compiles() {
    let mut src = String::from("def f(x: F8) -> F8:\n    s = 0.0\n");
    for i in 0..10_000 {
        src.push_str(&format!("    s = s + x * {i}\n"));
    }
    src.push_str("    return s\n");
    let k = ok(&src);
    assert_eq!(k.body.len(), 10_002);
    assert_eq!(local_ty(&k, "s"), frontend::Ty::F8);
}

#[test]
fn huge_literals_are_diagnostics() {
    let d = err(&format!("def f(x: int) -> int:\n    return x + {}\n", "9".repeat(5000)));
    assert_eq!(d.kind, DiagKind::Type);
    // A float literal too large for F8 is infinity, as in Python.
    let k = ok("def f(x: F8) -> F8:\n    return x + 1e999999\n");
    assert_eq!(shape(first_return(&k)), "Add:F8(local:F8, const:F8)");
}

/// A small deterministic generator (xorshift) for fuzz-like inputs.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[(self.next() % xs.len() as u64) as usize]
    }
}

#[test]
fn random_bytes_and_token_soup_never_panic() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for _ in 0..1500 {
        let n = (rng.next() % 80) as usize;
        let bytes: Vec<u8> = (0..n).map(|_| (rng.next() % 256) as u8).collect();
        let text = String::from_utf8_lossy(&bytes);
        let _ = no_panic(&format!("def f(x, y):\n    {text}\n"));
        let _ = no_panic(&text);
    }
    let tokens = [
        "x", "y", "1", "0", "-1", "2.5", "True", "(", ")", "+", "-", "*", "/", "//", "%", "**", "<<", ">>",
        "&", "|", "^", "~", "not", "and", "or", "<", "<=", "==", "if", "else", "abs(", "min(", ",", "U1(",
        "math.sqrt(", "int(", "round(", "F4(", "300", "2**63", "\n    ", ":", "=", "+=", "return", "while",
        "for i in range(", "break", "continue", "pass", "a", "b", "a, b = b, a",
    ];
    for _ in 0..3000 {
        let n = 1 + (rng.next() % 14) as usize;
        let body: Vec<&str> = (0..n).map(|_| rng.pick(&tokens)).collect();
        let src = format!("def f(x, y):\n    a = x\n    b = y\n    {}\n    return a\n", body.join(" "));
        let _ = no_panic(&src);
    }
}

#[test]
fn indented_methods_keep_original_columns() {
    let src = "    @chunk_kernel(strict=True)\n    def f(self_x: F8) -> F8:\n        print(self_x)\n        return self_x\n";
    let d = err(src);
    assert_eq!(where_(&d), (3, 9, "call to 'print' is not in the kernel subset".into()));
    let k = ok("    @cj.chunk_kernel\n    def f(x: F8) -> F8:\n        return x + 1.0\n");
    let text = &k.source.text;
    let ret = first_return(&k);
    assert_eq!(&text[ret.span.start as usize..ret.span.end as usize], "x + 1.0");
    assert_eq!(&text[k.span.start as usize..k.span.end as usize], "def f");
}
