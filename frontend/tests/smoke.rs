mod common;
use common::*;

#[test]
fn smoke() {
    println!("{}", ret_shape("def f(x: U1) -> U1:\n    return x + 1\n"));
    println!("{}", ret_shape("def f(x: F4):\n    return x * 2.0 + math.sqrt(x)\n"));
    let k = ok("def f(n: int):\n    s = 0\n    for i in range(n):\n        s += i * 1.5\n    return s\n");
    println!("{:?}", k.locals);
    println!("{}", err("def f(x: U1):\n    print(x)\n    return x\n").render());
    println!("{}", err("def f(x: U8, y: S8):\n    return x + y\n").render());
}
