//! The synthetic kernel of a pipeline (`frontend::pipeline`): its shape, its dump, and its
//! reference semantics (the interpreter runs it like any kernel).

mod common;
use common::{def_in, env, ok_with};
use frontend::compile;
use frontend::dump::dump;
use frontend::env::Global;
use frontend::interp::call;
use frontend::pipeline::{PipelineError, Stage, Terminal, build, kernels_called};
use frontend::{Scalar, Ty};
use std::sync::Arc;

fn triple() -> Arc<frontend::Kernel> {
    Arc::new(ok_with("def triple(x: S8) -> S8:\n    return x * 3\n", &[]))
}

fn even() -> Arc<frontend::Kernel> {
    Arc::new(ok_with(
        "def even(x: S8) -> B1:\n    return x % 2 == 0\n",
        &[],
    ))
}

fn minus() -> Arc<frontend::Kernel> {
    Arc::new(ok_with(
        "def minus(x: S8, y: S8) -> S8:\n    return x - y\n",
        &[],
    ))
}

#[test]
fn collect_kernel_skips_rejected_elements() {
    let k = build(
        Ty::S8,
        &[Stage::Map(triple()), Stage::Filter(even())],
        &Terminal::Collect,
    )
    .unwrap();
    assert_eq!(k.param_types(), vec![Ty::S8]);
    assert_eq!(k.ret, Ty::S8);
    let text = dump(&k);
    assert!(text.contains("skip"), "{text}");
    assert!(text.contains("triple") && text.contains("even"), "{text}");
    assert_eq!(call(&k, &[Scalar::Int(4)]).unwrap().value, Scalar::Int(12));
}

#[test]
fn sum_kernel_returns_the_accumulator_for_rejected_elements() {
    let k = build(
        Ty::S8,
        &[Stage::Map(triple()), Stage::Filter(even())],
        &Terminal::Sum,
    )
    .unwrap();
    assert_eq!(k.param_types(), vec![Ty::Int, Ty::S8]);
    assert_eq!(k.ret, Ty::Int);
    assert_eq!(
        call(&k, &[Scalar::Int(10), Scalar::Int(2)]).unwrap().value,
        Scalar::Int(16)
    );
    assert_eq!(
        call(&k, &[Scalar::Int(10), Scalar::Int(3)]).unwrap().value,
        Scalar::Int(10)
    );
}

#[test]
fn count_min_and_max() {
    let stages = [Stage::Filter(even())];
    let count = build(Ty::S8, &stages, &Terminal::Count).unwrap();
    assert_eq!(
        call(&count, &[Scalar::Int(5), Scalar::Int(2)])
            .unwrap()
            .value,
        Scalar::Int(6)
    );
    let min = build(Ty::S8, &stages, &Terminal::Min).unwrap();
    assert_eq!(
        call(&min, &[Scalar::Int(5), Scalar::Int(2)]).unwrap().value,
        Scalar::Int(2)
    );
    assert_eq!(
        call(&min, &[Scalar::Int(1), Scalar::Int(2)]).unwrap().value,
        Scalar::Int(1)
    );
    let max = build(Ty::F8, &[], &Terminal::Max).unwrap();
    let nan = call(&max, &[Scalar::Float(1.0), Scalar::Float(f64::NAN)])
        .unwrap()
        .value;
    assert!(matches!(nan, Scalar::Float(v) if v.is_nan()));
}

#[test]
fn map_stage_extra_parameters_become_pipeline_parameters() {
    let k = build(
        Ty::S4,
        &[Stage::Map(minus()), Stage::Map(minus())],
        &Terminal::Collect,
    )
    .unwrap();
    // x (S4, converted losslessly to S8 for the first stage), then y of each stage.
    assert_eq!(k.param_types(), vec![Ty::S4, Ty::S8, Ty::S8]);
    let v = call(&k, &[Scalar::Int(10), Scalar::Int(3), Scalar::Int(4)])
        .unwrap()
        .value;
    assert_eq!(v, Scalar::Int(3));
}

#[test]
fn a_lossy_stage_input_is_an_error() {
    let half = Arc::new(ok_with("def half(x: S8) -> F8:\n    return x / 2\n", &[]));
    let err = build(
        Ty::S8,
        &[Stage::Map(half), Stage::Map(triple())],
        &Terminal::Collect,
    )
    .unwrap_err();
    assert!(
        matches!(
            err,
            PipelineError::StageInput {
                stage: 2,
                from: Ty::F8,
                to: Ty::S8,
                ..
            }
        ),
        "{err}"
    );
    let err = build(Ty::S8, &[Stage::Filter(triple())], &Terminal::Collect).unwrap_err();
    assert!(
        matches!(err, PipelineError::Shape { stage: 1, .. }),
        "{err}"
    );
}

#[test]
fn kernels_called_finds_nested_callees() {
    let inner = Arc::new(def_in("def inner(x: S8) -> S8:\n    return x + 1\n", env()));
    let middle = Arc::new(def_in(
        "def middle(x: S8) -> S8:\n    return inner(x) * 2\n",
        env().with("inner", Global::Kernel(inner)),
    ));
    let outer_def = def_in(
        "def outer(x: S8) -> S8:\n    return middle(x) - 1\n",
        env().with("middle", Global::Kernel(middle)),
    );
    let outer = compile(&outer_def, &[]).unwrap();
    let names: Vec<String> = kernels_called(&outer)
        .iter()
        .map(|k| k.name.clone())
        .collect();
    assert_eq!(names, vec!["middle".to_string(), "inner".to_string()]);
}
