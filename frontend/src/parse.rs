//! Python text -> the kernel's syntax tree (`syntax`). The only module that knows
//! rustpython-parser, so the parser can be swapped (for Ruff's, say) by rewriting this file.
//!
//! The text is one function, possibly indented (a method, a nested def) and possibly preceded by
//! decorators. It is dedented before parsing; every span is mapped back to the original text so
//! that diagnostics point at what the user wrote.

use crate::diag::{DiagKind, Diagnostic};
use crate::ops::{BinOp, CmpOp};
use crate::source::{Site, Source, Span};
use crate::syntax::*;
use rustpython_parser::Parse;
use rustpython_parser::ast::{self, Constant, Ranged};
use std::sync::Arc;

/// Deepest nesting of expressions and statements accepted; deeper text gets a diagnostic
/// instead of a stack overflow in the checker.
pub const MAX_DEPTH: u32 = 200;

/// A parse failure, positioned in the original text.
struct Failure {
    kind: DiagKind,
    message: String,
    span: Span,
}

/// Parses the one function of `source`. The parser and the drop of its tree recurse over
/// nesting: callers run this on a large stack (see `check::compile`).
pub fn parse_kernel(source: &Arc<Source>) -> Result<FnDef, Diagnostic> {
    parse_text(&source.text).map_err(|f| Diagnostic {
        kind: f.kind,
        message: f.message,
        site: Site { source: source.clone(), span: f.span },
    })
}

fn parse_text(text: &str) -> Result<FnDef, Failure> {
    let dedented = Dedented::new(text);
    let suite = match ast::Suite::parse(&dedented.text, "<kernel>") {
        Ok(suite) => suite,
        Err(err) => {
            let at = dedented.original(err.offset.to_u32());
            return Err(Failure {
                kind: DiagKind::Syntax,
                message: format!("invalid syntax: {}", err.error),
                span: Span { start: at, end: at },
            });
        }
    };
    let conv = Converter { map: &dedented, depth: 0 };
    let Some(first) = suite.first() else {
        return Err(Failure {
            kind: DiagKind::Syntax,
            message: "no function definition found".into(),
            span: Span::default(),
        });
    };
    match first {
        ast::Stmt::FunctionDef(def) => conv.function(def),
        ast::Stmt::AsyncFunctionDef(def) => Err(Failure {
            kind: DiagKind::Unsupported,
            message: "'async def' is not in the kernel subset".into(),
            span: conv.span(def.range),
        }),
        other => Err(Failure {
            kind: DiagKind::Syntax,
            message: "expected a function definition ('def ...')".into(),
            span: conv.span(other.range()),
        }),
    }
}

/// The text with the common indentation removed, and the way back to original offsets.
struct Dedented {
    text: String,
    /// Per line of the dedented text: (its start offset, bytes removed before and on it).
    lines: Vec<(u32, u32)>,
}

impl Dedented {
    fn new(text: &str) -> Dedented {
        let indent = text
            .split('\n')
            .find(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
            .map_or(0, |l| l.len() - l.trim_start_matches([' ', '\t']).len());
        let mut out = String::with_capacity(text.len());
        let mut lines = Vec::new();
        let mut removed = 0u32;
        for line in text.split_inclusive('\n') {
            let ws = line.len() - line.trim_start_matches([' ', '\t']).len();
            let cut = ws.min(indent);
            removed += cut as u32;
            lines.push((out.len() as u32, removed));
            out.push_str(&line[cut..]);
        }
        Dedented { text: out, lines }
    }

    /// The offset in the original text of dedented offset `off`.
    fn original(&self, off: u32) -> u32 {
        let i = self.lines.partition_point(|&(start, _)| start <= off);
        let removed = if i == 0 { 0 } else { self.lines[i - 1].1 };
        off + removed
    }
}

struct Converter<'a> {
    map: &'a Dedented,
    depth: u32,
}

type Conv<T> = Result<T, Failure>;

fn unsupported(what: &str) -> String {
    format!("{what} is not in the kernel subset")
}

impl Converter<'_> {
    fn span(&self, r: ast::text_size::TextRange) -> Span {
        Span { start: self.map.original(r.start().to_u32()), end: self.map.original(r.end().to_u32()) }
    }

    fn deeper(&self, span: Span) -> Conv<Converter<'_>> {
        if self.depth >= MAX_DEPTH {
            return Err(Failure {
                kind: DiagKind::Unsupported,
                message: format!("code nested more than {MAX_DEPTH} levels deep is not in the kernel subset"),
                span,
            });
        }
        Ok(Converter { map: self.map, depth: self.depth + 1 })
    }

    fn function(&self, def: &ast::StmtFunctionDef) -> Conv<FnDef> {
        let span = self.def_span(def);
        let mut unsupported_parts = Vec::new();
        let args = &def.args;
        let mut params = Vec::new();
        for a in args.posonlyargs.iter().chain(args.args.iter()) {
            let pspan = self.span(a.def.range);
            if let Some(d) = &a.default {
                unsupported_parts.push((
                    unsupported(&format!("default value for parameter '{}'", a.def.arg.as_str())),
                    self.span(d.range()),
                ));
            }
            let annotation = match &a.def.annotation {
                Some(e) => Some(self.expr(e)?),
                None => None,
            };
            params.push(ParamDef { name: a.def.arg.to_string(), annotation, span: pspan });
        }
        if let Some(v) = &args.vararg {
            unsupported_parts.push((unsupported(&format!("'*{}' parameter", v.arg.as_str())), self.span(v.range)));
        }
        for a in &args.kwonlyargs {
            unsupported_parts.push((
                unsupported(&format!("keyword-only parameter '{}'", a.def.arg.as_str())),
                self.span(a.def.range),
            ));
        }
        if let Some(v) = &args.kwarg {
            unsupported_parts.push((unsupported(&format!("'**{}' parameter", v.arg.as_str())), self.span(v.range)));
        }
        if let Some(tp) = def.type_params.first() {
            unsupported_parts.push((unsupported("a type parameter list"), self.span(tp.range())));
        }
        unsupported_parts.sort_by_key(|(_, s)| s.start);
        let ret = match &def.returns {
            Some(e) => Some(self.expr(e)?),
            None => None,
        };
        Ok(FnDef {
            name: def.name.to_string(),
            params,
            ret,
            body: self.body(&def.body)?,
            span,
            unsupported: unsupported_parts,
        })
    }

    /// `def name`, found after the decorators.
    fn def_span(&self, def: &ast::StmtFunctionDef) -> Span {
        let text = &self.map.text;
        let from = def.decorator_list.last().map_or(def.range.start(), |d| d.range().end()).to_usize();
        let from = from.min(text.len());
        let start = text.get(from..).and_then(|t| t.find("def")).map_or(from, |i| from + i);
        let after_kw = (start + 3).min(text.len());
        let name_at = text.get(after_kw..).and_then(|t| t.find(def.name.as_str())).map_or(after_kw, |i| after_kw + i);
        let end = name_at + def.name.len();
        Span { start: self.map.original(start as u32), end: self.map.original(end as u32) }
    }

    fn body(&self, stmts: &[ast::Stmt]) -> Conv<Vec<SynStmt>> {
        let mut out = Vec::with_capacity(stmts.len());
        for s in stmts {
            // A bare string is a docstring or a comment: it does nothing.
            if let ast::Stmt::Expr(e) = s
                && let ast::Expr::Constant(c) = e.value.as_ref()
                    && matches!(c.value, Constant::Str(_)) {
                        continue;
                    }
            out.push(self.stmt(s)?);
        }
        Ok(out)
    }

    fn target(&self, e: &ast::Expr) -> Result<Target, (String, Span)> {
        let span = self.span(e.range());
        match e {
            ast::Expr::Name(n) => Ok(Target { name: n.id.to_string(), span }),
            ast::Expr::Subscript(_) => Err((unsupported("assignment to a subscript"), span)),
            ast::Expr::Attribute(_) => Err((unsupported("assignment to an attribute"), span)),
            ast::Expr::Starred(_) => Err((unsupported("starred assignment"), span)),
            ast::Expr::Tuple(_) | ast::Expr::List(_) => Err((unsupported("nested unpacking"), span)),
            _ => Err((unsupported("this assignment target"), span)),
        }
    }

    fn assign_target(&self, e: &ast::Expr) -> Result<AssignTarget, (String, Span)> {
        match e {
            ast::Expr::Tuple(t) => {
                let names = t.elts.iter().map(|e| self.target(e)).collect::<Result<Vec<_>, _>>()?;
                Ok(AssignTarget::Tuple(names, self.span(t.range)))
            }
            ast::Expr::List(l) => Err((unsupported("unpacking into a list"), self.span(l.range))),
            other => self.target(other).map(AssignTarget::Name),
        }
    }

    fn stmt(&self, s: &ast::Stmt) -> Conv<SynStmt> {
        let span = self.span(s.range());
        let c = self.deeper(span)?;
        let un = |what: &str| Ok(SynStmt { kind: SynStmtKind::Unsupported(unsupported(what)), span });
        let at = |msg: String, at: Span| Ok(SynStmt { kind: SynStmtKind::Unsupported(msg), span: at });
        let kind = match s {
            ast::Stmt::FunctionDef(_) | ast::Stmt::AsyncFunctionDef(_) => return un("a nested function definition"),
            ast::Stmt::ClassDef(_) => return un("a class definition"),
            ast::Stmt::Delete(_) => return un("'del'"),
            ast::Stmt::TypeAlias(_) => return un("a 'type' alias"),
            ast::Stmt::AsyncFor(_) => return un("'async for'"),
            ast::Stmt::With(_) | ast::Stmt::AsyncWith(_) => return un("'with'"),
            ast::Stmt::Match(_) => return un("'match'"),
            ast::Stmt::Raise(_) => return un("'raise'"),
            ast::Stmt::Try(_) | ast::Stmt::TryStar(_) => return un("'try'"),
            ast::Stmt::Assert(_) => return un("'assert'"),
            ast::Stmt::Import(_) | ast::Stmt::ImportFrom(_) => return un("'import' inside a kernel"),
            ast::Stmt::Global(g) => {
                let name = g.names.first().map_or(String::new(), |n| n.to_string());
                return un(&format!("'global {name}'"));
            }
            ast::Stmt::Nonlocal(g) => {
                let name = g.names.first().map_or(String::new(), |n| n.to_string());
                return un(&format!("'nonlocal {name}'"));
            }
            ast::Stmt::Pass(_) => SynStmtKind::Pass,
            ast::Stmt::Break(_) => SynStmtKind::Break,
            ast::Stmt::Continue(_) => SynStmtKind::Continue,
            ast::Stmt::Return(r) => match &r.value {
                Some(v) => SynStmtKind::Return(Some(c.expr(v)?)),
                None => SynStmtKind::Return(None),
            },
            ast::Stmt::Expr(e) => SynStmtKind::Expr(c.expr(&e.value)?),
            ast::Stmt::Assign(a) => {
                let mut targets = Vec::with_capacity(a.targets.len());
                for t in &a.targets {
                    match c.assign_target(t) {
                        Ok(t) => targets.push(t),
                        Err((msg, sp)) => return at(msg, sp),
                    }
                }
                SynStmtKind::Assign { targets, value: c.expr(&a.value)? }
            }
            ast::Stmt::AnnAssign(a) => {
                let target = match c.target(&a.target) {
                    Ok(t) => t,
                    Err((msg, sp)) => return at(msg, sp),
                };
                let value = match &a.value {
                    Some(v) => Some(c.expr(v)?),
                    None => None,
                };
                SynStmtKind::AnnAssign { target, annotation: c.expr(&a.annotation)?, value }
            }
            ast::Stmt::AugAssign(a) => {
                let target = match c.target(&a.target) {
                    Ok(t) => t,
                    Err((msg, sp)) => return at(msg, sp),
                };
                let Some(op) = bin_op(a.op) else { return un("the '@' operator") };
                SynStmtKind::AugAssign { target, op, value: c.expr(&a.value)? }
            }
            ast::Stmt::If(i) => SynStmtKind::If {
                cond: c.expr(&i.test)?,
                then_body: c.body(&i.body)?,
                else_body: c.body(&i.orelse)?,
            },
            ast::Stmt::While(w) => {
                if let Some(e) = w.orelse.first() {
                    return at(unsupported("the 'else' clause of a 'while' loop"), c.span(e.range()));
                }
                SynStmtKind::While { cond: c.expr(&w.test)?, body: c.body(&w.body)? }
            }
            ast::Stmt::For(f) => {
                if let Some(e) = f.orelse.first() {
                    return at(unsupported("the 'else' clause of a 'for' loop"), c.span(e.range()));
                }
                let target = match c.target(&f.target) {
                    Ok(t) => t,
                    Err((_, sp)) => return at(unsupported("a 'for' loop target other than a name"), sp),
                };
                SynStmtKind::For { target, iter: c.expr(&f.iter)?, body: c.body(&f.body)? }
            }
        };
        Ok(SynStmt { kind, span })
    }

    fn exprs(&self, es: &[ast::Expr]) -> Conv<Vec<SynExpr>> {
        es.iter().map(|e| self.expr(e)).collect()
    }

    fn expr(&self, e: &ast::Expr) -> Conv<SynExpr> {
        let span = self.span(e.range());
        let c = self.deeper(span)?;
        let un = |what: &str| Ok(SynExpr::new(SynExprKind::Unsupported(unsupported(what)), span));
        let boxed = |e: &ast::Expr| c.expr(e).map(Box::new);
        let kind = match e {
            ast::Expr::BoolOp(b) => SynExprKind::BoolOp { and_: b.op == ast::BoolOp::And, values: c.exprs(&b.values)? },
            ast::Expr::NamedExpr(_) => return un("':=' (an assignment expression)"),
            ast::Expr::BinOp(b) => {
                let Some(op) = bin_op(b.op) else { return un("the '@' operator") };
                SynExprKind::Binary(op, boxed(&b.left)?, boxed(&b.right)?)
            }
            ast::Expr::UnaryOp(u) => {
                let op = match u.op {
                    ast::UnaryOp::Invert => SynUnOp::Invert,
                    ast::UnaryOp::Not => SynUnOp::Not,
                    ast::UnaryOp::UAdd => SynUnOp::Pos,
                    ast::UnaryOp::USub => SynUnOp::Neg,
                };
                SynExprKind::Unary(op, boxed(&u.operand)?)
            }
            ast::Expr::Lambda(_) => return un("'lambda'"),
            ast::Expr::IfExp(i) => SynExprKind::IfElse { cond: boxed(&i.test)?, then: boxed(&i.body)?, els: boxed(&i.orelse)? },
            ast::Expr::Dict(_) => return un("a 'dict' literal"),
            ast::Expr::Set(_) => return un("a 'set' literal"),
            ast::Expr::ListComp(_) => return un("a list comprehension"),
            ast::Expr::SetComp(_) => return un("a set comprehension"),
            ast::Expr::DictComp(_) => return un("a dict comprehension"),
            ast::Expr::GeneratorExp(_) => return un("a generator expression"),
            ast::Expr::Await(_) => return un("'await'"),
            ast::Expr::Yield(_) | ast::Expr::YieldFrom(_) => return un("'yield'"),
            ast::Expr::Compare(cmp) => {
                let mut rest = Vec::with_capacity(cmp.ops.len());
                for (op, right) in cmp.ops.iter().zip(cmp.comparators.iter()) {
                    let op = match op {
                        ast::CmpOp::Eq => CmpOp::Eq,
                        ast::CmpOp::NotEq => CmpOp::Ne,
                        ast::CmpOp::Lt => CmpOp::Lt,
                        ast::CmpOp::LtE => CmpOp::Le,
                        ast::CmpOp::Gt => CmpOp::Gt,
                        ast::CmpOp::GtE => CmpOp::Ge,
                        ast::CmpOp::Is => return un("the 'is' operator"),
                        ast::CmpOp::IsNot => return un("the 'is not' operator"),
                        ast::CmpOp::In => return un("the 'in' operator"),
                        ast::CmpOp::NotIn => return un("the 'not in' operator"),
                    };
                    rest.push((op, c.expr(right)?));
                }
                SynExprKind::Compare(boxed(&cmp.left)?, rest)
            }
            ast::Expr::Call(call) => {
                // The callee first: an unsupported callee is the first thing to report.
                let func = boxed(&call.func)?;
                if let Some(k) = call.keywords.first() {
                    let what = match &k.arg {
                        Some(name) => format!("keyword argument '{}'", name.as_str()),
                        None => "'**' argument".to_string(),
                    };
                    return Ok(SynExpr::new(SynExprKind::Unsupported(unsupported(&what)), c.span(k.range)));
                }
                if let Some(ast::Expr::Starred(s)) = call.args.iter().find(|a| a.is_starred_expr()) {
                    return Ok(SynExpr::new(SynExprKind::Unsupported(unsupported("a '*' argument")), c.span(s.range)));
                }
                SynExprKind::Call { func, args: c.exprs(&call.args)? }
            }
            ast::Expr::FormattedValue(_) | ast::Expr::JoinedStr(_) => return un("an f-string"),
            ast::Expr::Constant(k) => match &k.value {
                Constant::None => return un("'None'"),
                Constant::Bool(b) => SynExprKind::Bool(*b),
                Constant::Str(s) => SynExprKind::Str(s.clone()),
                Constant::Bytes(_) => return un("a 'bytes' literal"),
                Constant::Int(i) => {
                    let digits = i.to_string();
                    SynExprKind::Int(digits.parse::<i128>().ok(), digits)
                }
                Constant::Tuple(_) => return un("a 'tuple' constant"),
                Constant::Float(f) => SynExprKind::Float(*f),
                Constant::Complex { .. } => return un("a complex literal"),
                Constant::Ellipsis => return un("'...'"),
            },
            ast::Expr::Attribute(a) => match a.value.as_ref() {
                ast::Expr::Name(n) => SynExprKind::Attr { base: n.id.to_string(), attr: a.attr.to_string() },
                _ => return un(&format!("attribute access '.{}'", a.attr.as_str())),
            },
            ast::Expr::Subscript(_) => return un("indexing ('[...]')"),
            ast::Expr::Starred(_) => return un("a '*' expression"),
            ast::Expr::Name(n) => SynExprKind::Name(n.id.to_string()),
            ast::Expr::List(_) => return un("a 'list' literal"),
            ast::Expr::Tuple(t) => SynExprKind::Tuple(c.exprs(&t.elts)?),
            ast::Expr::Slice(_) => return un("a slice"),
        };
        Ok(SynExpr::new(kind, span))
    }
}

fn bin_op(op: ast::Operator) -> Option<BinOp> {
    Some(match op {
        ast::Operator::Add => BinOp::Add,
        ast::Operator::Sub => BinOp::Sub,
        ast::Operator::Mult => BinOp::Mul,
        ast::Operator::MatMult => return None,
        ast::Operator::Div => BinOp::Div,
        ast::Operator::Mod => BinOp::Mod,
        ast::Operator::Pow => BinOp::Pow,
        ast::Operator::LShift => BinOp::LShift,
        ast::Operator::RShift => BinOp::RShift,
        ast::Operator::BitOr => BinOp::BitOr,
        ast::Operator::BitXor => BinOp::BitXor,
        ast::Operator::BitAnd => BinOp::BitAnd,
        ast::Operator::FloorDiv => BinOp::FloorDiv,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dedent_maps_offsets_back() {
        let d = Dedented::new("    def f(x):\n        return x\n");
        assert_eq!(d.text, "def f(x):\n    return x\n");
        // `return` starts at 14 in the dedented text, 4 + 14 + 4 in the original.
        assert_eq!(d.original(14), 22);
        assert_eq!(d.original(0), 4);
    }
}
