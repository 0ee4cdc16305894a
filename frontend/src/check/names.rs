//! What a name in a kernel means: a local, a resolved global (`Env`), a builtin of the subset,
//! or something outside it; and which type an annotation names.

use super::{Checker, Fail};
use crate::diag::{DiagKind, Diagnostic};
use crate::env::Global;
use crate::ir::LocalId;
use crate::ops::{MATH_CONSTANTS, MathFn};
use crate::source::Span;
use crate::syntax::{SynExpr, SynExprKind};
use crate::types::Ty;

/// The builtins the subset knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum SubsetBuiltin {
    Abs,
    Min,
    Max,
    Round,
    Int,
    Float,
    Bool,
    Range,
}

impl SubsetBuiltin {
    fn from_name(name: &str) -> Option<SubsetBuiltin> {
        Some(match name {
            "abs" => SubsetBuiltin::Abs,
            "min" => SubsetBuiltin::Min,
            "max" => SubsetBuiltin::Max,
            "round" => SubsetBuiltin::Round,
            "int" => SubsetBuiltin::Int,
            "float" => SubsetBuiltin::Float,
            "bool" => SubsetBuiltin::Bool,
            "range" => SubsetBuiltin::Range,
            _ => return None,
        })
    }
}

/// Python's other builtins: named as "not in the subset" rather than "not defined".
const PYTHON_BUILTINS: &[&str] = &[
    "print", "len", "sum", "pow", "divmod", "list", "tuple", "dict", "set", "frozenset", "str",
    "repr", "bytes", "bytearray", "memoryview", "complex", "isinstance", "issubclass", "type",
    "hash", "id", "iter", "next", "zip", "enumerate", "map", "filter", "sorted", "reversed", "any",
    "all", "chr", "ord", "hex", "oct", "bin", "format", "input", "open", "super", "getattr",
    "setattr", "hasattr", "delattr", "object", "slice", "vars", "locals", "globals", "callable",
    "exec", "eval", "compile", "ascii", "property", "staticmethod", "classmethod", "dir", "help",
    "breakpoint", "aiter", "anext", "__import__", "None", "Ellipsis", "NotImplemented",
];

/// A name's meaning.
pub(crate) enum Resolved<'g> {
    Local(LocalId),
    Global(&'g Global),
    Builtin(SubsetBuiltin),
    /// A Python builtin outside the subset (`print`, `len`, ...).
    PythonBuiltin,
    Undefined,
}

/// What an attribute `base.attr` means.
pub(crate) enum ResolvedAttr<'g> {
    MathFn(MathFn),
    MathConst(f64),
    /// A global the caller resolved under its dotted name (`np.float64`, `cj.U8`).
    Global(&'g Global),
    /// Anything else: the message saying why it is not in the subset.
    Outside(DiagKind, String),
}

impl<'a> Checker<'a> {
    pub fn resolve(&self, name: &str) -> Resolved<'a> {
        if let Some(id) = self.by_name.get(name) {
            return Resolved::Local(*id);
        }
        let env = &self.def.env;
        if let Some(g) = env.get(name) {
            return Resolved::Global(g);
        }
        if let Some(b) = SubsetBuiltin::from_name(name) {
            return Resolved::Builtin(b);
        }
        if PYTHON_BUILTINS.contains(&name) {
            return Resolved::PythonBuiltin;
        }
        Resolved::Undefined
    }

    pub fn resolve_attr(&self, base: &str, attr: &str) -> ResolvedAttr<'a> {
        let env = &self.def.env;
        if !self.by_name.contains_key(base)
            && let Some(g) = env.get(&format!("{base}.{attr}")) {
                return ResolvedAttr::Global(g);
            }
        let outside = |m: String| ResolvedAttr::Outside(DiagKind::Unsupported, m);
        match self.resolve(base) {
            Resolved::Global(Global::MathModule) => {
                if let Some(f) = MathFn::from_name(attr) {
                    ResolvedAttr::MathFn(f)
                } else if let Some((_, v)) = MATH_CONSTANTS.iter().find(|(n, _)| *n == attr) {
                    ResolvedAttr::MathConst(*v)
                } else {
                    outside(format!("'{base}.{attr}' is not in the kernel subset"))
                }
            }
            Resolved::Local(_) => outside(format!("attribute access '{base}.{attr}' is not in the kernel subset")),
            Resolved::Undefined => ResolvedAttr::Outside(DiagKind::Name, format!("name '{base}' is not defined")),
            _ => outside(format!("'{base}.{attr}' is not in the kernel subset")),
        }
    }

    /// The type an annotation names: a scalar type (resolved through the environment, or by its
    /// own name), `float`/`int`/`bool`, or the same as a string (`"F8"`).
    pub fn annotation_type(&self, a: &SynExpr) -> Result<Ty, Diagnostic> {
        let bad = |what: String| {
            self.diag(DiagKind::Type, format!("annotation {what} is not a scalar type of the kernel subset"), a.span)
        };
        match &a.kind {
            SynExprKind::Name(n) => match self.def.env.get(n) {
                Some(Global::Type(t)) => Ok(*t),
                Some(_) => Err(bad(format!("'{n}'"))),
                None => Ty::from_name(n).ok_or_else(|| bad(format!("'{n}'"))),
            },
            SynExprKind::Str(s) => {
                let s = s.trim();
                match self.def.env.get(s) {
                    Some(Global::Type(t)) => Ok(*t),
                    _ => {
                        let last = s.rsplit('.').next().unwrap_or(s);
                        Ty::from_name(last).ok_or_else(|| bad(format!("'{s}'")))
                    }
                }
            }
            SynExprKind::Attr { base, attr } => match self.resolve_attr(base, attr) {
                ResolvedAttr::Global(Global::Type(t)) => Ok(*t),
                _ => match self.def.env.get(base) {
                    // `cj.F8` with the chunkjit module unresolved: the type's own name decides.
                    None => Ty::from_name(attr).ok_or_else(|| bad(format!("'{base}.{attr}'"))),
                    Some(_) => Err(bad(format!("'{base}.{attr}'"))),
                },
            },
            _ => Err(bad("here".into())),
        }
    }

    /// The message for a global used where it cannot be (as a value, or called wrongly).
    pub fn global_misuse(&self, name: &str, g: &Global, span: Span) -> Fail {
        let msg = match g {
            Global::Other(desc) => format!("global '{name}' is {desc}, which is not in the kernel subset"),
            Global::MathModule => format!("the module '{name}' cannot be used as a value in a kernel"),
            Global::MathFn(_) | Global::Kernel(_) => {
                format!("the function '{name}' can only be called in a kernel, not used as a value")
            }
            Global::Type(_) => format!("the type '{name}' can only be used to cast or annotate in a kernel"),
            Global::Const(..) => format!("global '{name}' cannot be used this way in a kernel"),
        };
        self.fail(DiagKind::Unsupported, msg, span)
    }
}
