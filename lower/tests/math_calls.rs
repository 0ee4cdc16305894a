//! `math` functions called through the reference's native entries (`frontend::mathfn`): every
//! function on boundary values agrees with `mathfn::eval` bit for bit, and a status the entry
//! sets becomes the element's fault at the call's site.

mod common;
use common::*;
use frontend::ops::{Builtin, MATH_TABLE, MathFn, MathResult};
use frontend::{Scalar, Ty};

fn math_kernel(f: MathFn, arity: usize, ret_ty: Ty) -> frontend::Kernel {
    let args = (0..arity as u32).map(|i| var(i, Ty::F8)).collect();
    kernel("m", &[("x", Ty::F8), ("y", Ty::F8)], ret_ty).body(vec![ret(call(
        Builtin::Math(f),
        args,
        ret_ty,
        sp(11, 22),
    ))])
}

#[test]
fn every_math_function_agrees_with_the_reference() {
    let vals = float_boundaries();
    let (mut xs, mut ys) = (Vec::new(), Vec::new());
    for &a in &vals {
        for &b in vals.iter().step_by(2) {
            xs.push(Scalar::Float(a));
            ys.push(Scalar::Float(b));
        }
    }
    let cols = [Column::new(Ty::F8, &xs), Column::new(Ty::F8, &ys)];
    for row in MATH_TABLE.iter() {
        let ret_ty = match row.result {
            MathResult::Float => Ty::F8,
            MathResult::Int(_) => Ty::Int,
            MathResult::Bool => Ty::B1,
        };
        let c = compile_columns(&math_kernel(row.func, row.arity, ret_ty));
        for k in 0..xs.len() {
            let args = [xs[k].as_f64(), ys[k].as_f64()];
            let got = run_one(&c, &cols, k, ret_ty);
            let want = match row.result {
                MathResult::Float => {
                    frontend::mathfn::eval(row.func, &args[..row.arity]).map(Scalar::Float)
                }
                _ => continue, // the int and bool rows are covered by conversions.rs / float_ops.rs
            };
            match (got, want) {
                (Ok(g), Ok(w)) => assert!(
                    same(g, w),
                    "math.{}({:?}) = {g:?}, want {w:?}",
                    row.name,
                    &args[..row.arity]
                ),
                (Err((kind, span)), Err(w)) => {
                    assert_eq!(kind, w, "math.{}({:?})", row.name, &args[..row.arity]);
                    assert_eq!(span, sp(11, 22));
                }
                (g, w) => panic!(
                    "math.{}({:?}): got {g:?}, want {w:?}",
                    row.name,
                    &args[..row.arity]
                ),
            }
        }
    }
}
