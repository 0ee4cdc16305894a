//! The IR text dump users see as `kernel.ir`.

mod common {
    pub mod ir_builder;
}
use common::ir_builder::*;
use frontend::dump::dump;
use frontend::ops::{BinOp, Builtin, CmpOp, Convert, MathFn};
use frontend::types::Ty;

#[test]
fn dump_shows_signature_locals_types_and_conversions() {
    // def scale(x: F8, n: int) -> F8:
    //     for i in range(0, n):
    //         if i > 2: break
    //         x = x * 2.0
    //     return x + float(n)
    let mut k = KernelBuilder::new("scale", &[("x", Ty::F8), ("n", Ty::Int)]);
    let i = k.local("i", Ty::Int);
    let body = vec![
        for_range(
            i,
            int(0),
            k.param(1),
            int(1),
            vec![
                if_(cmp(CmpOp::Gt, k.get(i), int(2)), vec![brk()], vec![]),
                assign(0, bin(BinOp::Mul, k.param(0), f8(2.0))),
            ],
        ),
        ret(bin(
            BinOp::Add,
            builtin_call(Builtin::Math(MathFn::Sqrt), vec![k.param(0)], Ty::F8),
            conv(Convert::IntToFloat, k.param(1), Ty::F8),
        )),
    ];
    let text = dump(&k.finish(Ty::F8, body));
    let expected = "\
kernel scale(x: F8, n: int) -> F8
  locals: %0 x: F8, %1 n: int, %2 i: int
  for i = range(0:int, n:int, 1:int):
    if (i:int > 2:int):B1:
      break
    x = (x:F8 * 2.0:F8):F8
  return (math.sqrt(x:F8):F8 + int_to_float<F8>(n:int)):F8
";
    assert_eq!(text, expected);
}
