//! The translator: a kernel body (and the kernels it calls, inlined) -> CLIF, emitted inside the
//! element loop that `chunk_loop` builds around it. One method per construct; expressions are in
//! `expr.rs`, arithmetic in `num.rs`, conversions in `cast.rs`, builtins and `math` in `math.rs`.

use crate::error::LowerError;
use crate::sites::SiteTable;
use cranelift_codegen::ir::{
    Block, FuncRef, InstBuilder, MemFlagsData, StackSlot, Type, Value, types,
};
use cranelift_frontend::{FunctionBuilder, Variable};
use cranelift_jit::JITModule;
use frontend::ir::{Expr, Kernel, LocalId, Stmt, StmtKind};
use frontend::{FaultKind, Span, Ty};
use runtime::abi::fault_status;
use std::collections::HashMap;

/// Kernel calls nest at most this deep (the checker should reject recursion; this is the net).
const MAX_INLINE_DEPTH: usize = 32;

/// The CLIF type a value of `ty` lives in: B1 is an I8 holding 0 or 1, `Int` an I64.
pub(crate) fn clif_type(ty: Ty) -> Type {
    match ty {
        Ty::B1 | Ty::U1 | Ty::S1 => types::I8,
        Ty::U2 | Ty::S2 => types::I16,
        Ty::U4 | Ty::S4 => types::I32,
        Ty::U8 | Ty::S8 | Ty::Int => types::I64,
        Ty::F4 => types::F32,
        Ty::F8 => types::F64,
    }
}

/// Whether a statement list can fall through to what follows it.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Flow {
    Open,
    /// Ended by `return`, `break` or `continue`: nothing after it in the list is reachable.
    Closed,
}

struct LoopTargets {
    continue_to: Block,
    break_to: Block,
}

/// One kernel being lowered: the outer kernel or an inlined callee, with its own variables.
struct Frame<'k> {
    kernel: &'k Kernel,
    vars: Vec<Variable>,
    /// Where `return` jumps, with the value as the block's parameter.
    ret: Block,
    loops: Vec<LoopTargets>,
}

pub(crate) struct Translator<'k, 'f, 'm> {
    pub b: FunctionBuilder<'f>,
    pub(crate) module: &'m mut JITModule,
    pub sites: SiteTable,
    /// Cold exit taking the status word: writes the element index, returns the status.
    pub fault_exit: Block,
    /// Cold exit for an interrupt seen on a back-edge of a loop inside the kernel.
    pub interrupt_exit: Block,
    /// The `interrupt` argument (defined in the entry block, so usable everywhere).
    pub interrupt_flag: Value,
    pub(crate) imports: HashMap<&'static str, FuncRef>,
    pub(crate) status_slot: Option<StackSlot>,
    /// Where `skip` jumps (the next element of a `Collect` loop); `None` elsewhere.
    pub skip_to: Option<Block>,
    /// `Collect` loops: whether the element in flight is kept (B1, set before each element);
    /// an if-converted `skip` clears it instead of jumping (`if_convert.rs`).
    pub kept: Option<Variable>,
    /// While code is evaluated speculatively (an arm of an if-converted `x if c else y`, the
    /// statements after an if-converted early exit): the B1 value that says the path is the
    /// one taken. A fault is raised only when it is set.
    pub(crate) fault_guard: Option<Value>,
    frames: Vec<Frame<'k>>,
}

impl<'k, 'f, 'm> Translator<'k, 'f, 'm> {
    pub fn new(
        b: FunctionBuilder<'f>,
        module: &'m mut JITModule,
        fault_exit: Block,
        interrupt_exit: Block,
        interrupt_flag: Value,
    ) -> Self {
        Translator {
            b,
            module,
            sites: SiteTable::default(),
            fault_exit,
            interrupt_exit,
            interrupt_flag,
            imports: HashMap::new(),
            status_slot: None,
            skip_to: None,
            kept: None,
            fault_guard: None,
            frames: Vec::new(),
        }
    }

    // ---- small emitters shared by every construct -------------------------------------------

    /// An integer constant of CLIF type `ty` (`v` truncated to its width).
    pub fn iconst(&mut self, ty: Type, v: i64) -> Value {
        let bits = ty.bits();
        let v = if bits < 64 {
            v & ((1i64 << bits) - 1)
        } else {
            v
        };
        self.b.ins().iconst(ty, v)
    }

    /// The zero of a kernel type.
    pub fn zero(&mut self, ty: Ty) -> Value {
        match ty {
            Ty::F4 => self.b.ins().f32const(0.0),
            Ty::F8 => self.b.ins().f64const(0.0),
            _ => self.iconst(clif_type(ty), 0),
        }
    }

    pub(crate) fn kernel(&self) -> Result<&'k Kernel, LowerError> {
        self.frames
            .last()
            .map(|f| f.kernel)
            .ok_or_else(|| LowerError::Unsupported("no kernel frame".into()))
    }

    /// The fault status word for `kind` raised at `span` of the current kernel.
    pub fn status_word(&mut self, kind: FaultKind, span: Span) -> Result<u32, LowerError> {
        let site = self.site(span)?;
        Ok(fault_status(kind.code(), site))
    }

    pub fn site(&mut self, span: Span) -> Result<u32, LowerError> {
        let kernel = self.kernel()?;
        self.sites
            .number(kernel, span)
            .ok_or_else(|| LowerError::Unsupported("more than 2**24 fault sites".into()))
    }

    /// How many kernels are being lowered: 1 in the loop's own kernel, more in inlined calls.
    pub(crate) fn depth(&self) -> usize {
        self.frames.len()
    }

    /// Leaves the element with fault `kind` when `cond` (an I8 truth value) is non-zero.
    pub fn fault_if(&mut self, cond: Value, kind: FaultKind, span: Span) -> Result<(), LowerError> {
        let word = self.status_word(kind, span)?;
        let cond = match self.fault_guard {
            Some(taken) => self.b.ins().band(cond, taken),
            None => cond,
        };
        let status = self.b.ins().iconst(types::I32, word as i64);
        self.leave_if(cond, status);
        Ok(())
    }

    /// Leaves the element with the status word `status` (I32) when `cond` is non-zero.
    pub fn leave_if(&mut self, cond: Value, status: Value) {
        let cont = self.b.create_block();
        self.b
            .ins()
            .brif(cond, self.fault_exit, &[status.into()], cont, &[]);
        self.b.switch_to_block(cont);
    }

    /// The bottom of a rotated loop: back to `body` while `go_on` holds and the interrupt flag
    /// is clear, one branch per iteration; the flag is looked at again only once the loop stops
    /// (interrupted: the interrupt exit; else `exit`).
    fn loop_back(&mut self, go_on: Value, body: Block, exit: Block) {
        let flag =
            self.b
                .ins()
                .atomic_load(types::I32, MemFlagsData::trusted(), self.interrupt_flag);
        let clear =
            self.b
                .ins()
                .icmp_imm_u(cranelift_codegen::ir::condcodes::IntCC::Equal, flag, 0);
        let again = self.b.ins().band(go_on, clear);
        let stopped = self.b.create_block();
        self.b.ins().brif(again, body, &[], stopped, &[]);
        self.b.switch_to_block(stopped);
        self.b.ins().brif(flag, self.interrupt_exit, &[], exit, &[]);
    }

    fn var(&self, local: LocalId) -> Result<Variable, LowerError> {
        self.frames
            .last()
            .and_then(|f| f.vars.get(local as usize).copied())
            .ok_or_else(|| LowerError::Unsupported(format!("local #{local} is not declared")))
    }

    fn local_type(&self, local: LocalId) -> Result<Ty, LowerError> {
        self.kernel()?
            .locals
            .get(local as usize)
            .map(|l| l.ty)
            .ok_or_else(|| LowerError::Unsupported(format!("local #{local} is not declared")))
    }

    pub fn use_local(&mut self, local: LocalId) -> Result<Value, LowerError> {
        let var = self.var(local)?;
        Ok(self.b.use_var(var))
    }

    pub fn def_local(&mut self, local: LocalId, v: Value) -> Result<(), LowerError> {
        let var = self.var(local)?;
        self.b.def_var(var, v);
        Ok(())
    }

    // ---- kernels ------------------------------------------------------------------------------

    /// Lowers `kernel`'s body with its parameters bound to `args` (values of the parameter
    /// types) and returns the value it returns; code continues in a fresh block after it. Used
    /// for the outer kernel and, the same way, to inline every kernel call.
    pub fn lower_inline(
        &mut self,
        kernel: &'k Kernel,
        args: &[Value],
    ) -> Result<Value, LowerError> {
        if self.frames.len() >= MAX_INLINE_DEPTH {
            return Err(LowerError::InlineDepth(kernel.name.clone()));
        }
        if args.len() != kernel.params.len() {
            return Err(LowerError::Unsupported(format!(
                "kernel '{}' takes {} arguments, got {}",
                kernel.name,
                kernel.params.len(),
                args.len()
            )));
        }
        let vars: Vec<Variable> = kernel
            .locals
            .iter()
            .map(|l| self.b.declare_var(clif_type(l.ty)))
            .collect();
        let ret = self.b.create_block();
        let ret_value = self.b.append_block_param(ret, clif_type(kernel.ret));
        // Every local starts at zero on each call, so no value flows into this element from the
        // previous one (no loop-carried phis for the register allocator).
        for (local, &var) in kernel.locals.iter().zip(&vars) {
            let z = self.zero(local.ty);
            self.b.def_var(var, z);
        }
        for (param, &arg) in kernel.params.iter().zip(args) {
            let var = vars.get(param.local as usize).copied().ok_or_else(|| {
                LowerError::Unsupported(format!("parameter '{}' has no local", param.name))
            })?;
            self.b.def_var(var, arg);
        }
        self.frames.push(Frame {
            kernel,
            vars,
            ret,
            loops: Vec::new(),
        });
        let flow = self.lower_stmts(&kernel.body);
        self.frames.pop();
        if flow? == Flow::Open {
            // The checker requires a `return` on every path; falling off the end yields zero.
            let z = self.zero(kernel.ret);
            self.b.ins().jump(ret, &[z.into()]);
        }
        self.b.switch_to_block(ret);
        Ok(ret_value)
    }

    // ---- statements ---------------------------------------------------------------------------

    pub fn lower_stmts(&mut self, stmts: &'k [Stmt]) -> Result<Flow, LowerError> {
        for (n, stmt) in stmts.iter().enumerate() {
            let rest = &stmts[n..];
            if self.if_converts(rest) {
                // An early exit and straight code after it: no branch (`if_convert.rs`).
                let v = self.lower_straight_tail(rest)?;
                self.jump_to_return(v)?;
                return Ok(Flow::Closed);
            }
            if self.lower_stmt(stmt)? == Flow::Closed {
                return Ok(Flow::Closed);
            }
        }
        Ok(Flow::Open)
    }

    fn lower_stmt(&mut self, stmt: &'k Stmt) -> Result<Flow, LowerError> {
        match &stmt.kind {
            StmtKind::Assign { targets, values } => {
                self.lower_assign(targets, values)?;
                Ok(Flow::Open)
            }
            StmtKind::If {
                cond,
                then_body,
                else_body,
            } => self.lower_if(cond, then_body, else_body),
            StmtKind::While { cond, body } => self.lower_while(cond, body),
            StmtKind::ForRange {
                var,
                start,
                stop,
                step,
                body,
            } => self.lower_for_range(stmt.span, *var, [start, stop, step], body),
            StmtKind::Break | StmtKind::Continue => {
                let is_break = matches!(stmt.kind, StmtKind::Break);
                let target = self
                    .frames
                    .last()
                    .and_then(|f| f.loops.last())
                    .map(|l| if is_break { l.break_to } else { l.continue_to })
                    .ok_or_else(|| {
                        LowerError::Unsupported("break/continue outside a loop".into())
                    })?;
                self.b.ins().jump(target, &[]);
                Ok(Flow::Closed)
            }
            StmtKind::Return(value) => {
                let v = self.lower_expr(value)?;
                self.jump_to_return(v)?;
                Ok(Flow::Closed)
            }
            StmtKind::Eval(e) => {
                self.lower_expr(e)?;
                Ok(Flow::Open)
            }
            StmtKind::Skip => {
                let next = self.skip_to.ok_or_else(|| {
                    LowerError::Unsupported("skip outside a pipeline (Collect) loop".into())
                })?;
                self.b.ins().jump(next, &[]);
                Ok(Flow::Closed)
            }
        }
    }

    /// `return v` from the kernel being lowered.
    fn jump_to_return(&mut self, v: Value) -> Result<(), LowerError> {
        let ret = self
            .frames
            .last()
            .map(|f| f.ret)
            .ok_or_else(|| LowerError::Unsupported("return outside a kernel".into()))?;
        self.b.ins().jump(ret, &[v.into()]);
        Ok(())
    }

    /// Every value is evaluated before any target is assigned (`a, b = b, a`).
    pub(crate) fn lower_assign(
        &mut self,
        targets: &[LocalId],
        values: &'k [Expr],
    ) -> Result<(), LowerError> {
        let mut evaluated = Vec::with_capacity(values.len());
        for v in values {
            evaluated.push(self.lower_expr(v)?);
        }
        for (&t, v) in targets.iter().zip(evaluated) {
            self.def_local(t, v)?;
        }
        Ok(())
    }

    fn lower_if(
        &mut self,
        cond: &'k Expr,
        then_body: &'k [Stmt],
        else_body: &'k [Stmt],
    ) -> Result<Flow, LowerError> {
        let c = self.lower_expr(cond)?;
        let then_block = self.b.create_block();
        let else_block = self.b.create_block();
        let merge = self.b.create_block();
        self.b.ins().brif(c, then_block, &[], else_block, &[]);
        let mut open = false;
        for (block, body) in [(then_block, then_body), (else_block, else_body)] {
            self.b.switch_to_block(block);
            if self.lower_stmts(body)? == Flow::Open {
                self.b.ins().jump(merge, &[]);
                open = true;
            }
        }
        if !open {
            return Ok(Flow::Closed);
        }
        self.b.switch_to_block(merge);
        Ok(Flow::Open)
    }

    /// `while`, rotated: the condition is tested once before the loop and again at the bottom
    /// (`loop_back`, with the interrupt flag); `continue` goes to the bottom too.
    fn lower_while(&mut self, cond: &'k Expr, body: &'k [Stmt]) -> Result<Flow, LowerError> {
        let body_block = self.b.create_block();
        let latch = self.b.create_block();
        let exit = self.b.create_block();
        let c = self.lower_expr(cond)?;
        self.b.ins().brif(c, body_block, &[], exit, &[]);
        self.b.switch_to_block(body_block);
        self.lower_loop_body(body, latch, exit)?;
        self.b.switch_to_block(latch);
        let c = self.lower_expr(cond)?;
        self.loop_back(c, body_block, exit);
        self.b.switch_to_block(exit);
        Ok(Flow::Open)
    }

    fn lower_loop_body(
        &mut self,
        body: &'k [Stmt],
        continue_to: Block,
        break_to: Block,
    ) -> Result<(), LowerError> {
        let frame = self
            .frames
            .last_mut()
            .ok_or_else(|| LowerError::Unsupported("loop outside a kernel".into()))?;
        frame.loops.push(LoopTargets {
            continue_to,
            break_to,
        });
        let flow = self.lower_stmts(body);
        if let Some(frame) = self.frames.last_mut() {
            frame.loops.pop();
        }
        if flow? == Flow::Open {
            self.b.ins().jump(continue_to, &[]);
        }
        Ok(())
    }

    /// `for var in range(start, stop, step)`: the trip count is computed exactly before the first
    /// iteration (in 64-bit unsigned arithmetic, so no bound near MIN/MAX overflows), then the
    /// loop counts it down while a separate counter steps; `var` is bound from the counter.
    fn lower_for_range(
        &mut self,
        span: Span,
        var: LocalId,
        bounds: [&'k Expr; 3],
        body: &'k [Stmt],
    ) -> Result<Flow, LowerError> {
        let ty = self.local_type(var)?;
        if !ty.is_int() {
            return Err(LowerError::Unsupported(format!("range() over {ty}")));
        }
        let [start, stop, step] = bounds;
        let start = self.lower_expr(start)?;
        let stop = self.lower_expr(stop)?;
        let step = self.lower_expr(step)?;
        let step_zero =
            self.b
                .ins()
                .icmp_imm_s(cranelift_codegen::ir::condcodes::IntCC::Equal, step, 0);
        self.fault_if(step_zero, FaultKind::RangeStepZero, span)?;
        let trips = crate::num::range_trip_count(self, ty, start, stop, step);

        let counter = self.b.declare_var(clif_type(ty));
        let remaining = self.b.declare_var(types::I64);
        self.b.def_var(counter, start);
        self.b.def_var(remaining, trips);
        // Rotated like `while`: the trip count is tested before the loop and at the bottom.
        let body_block = self.b.create_block();
        let latch = self.b.create_block();
        let exit = self.b.create_block();
        let left = self.b.use_var(remaining);
        self.b.ins().brif(left, body_block, &[], exit, &[]);

        self.b.switch_to_block(body_block);
        let current = self.b.use_var(counter);
        self.def_local(var, current)?;
        self.lower_loop_body(body, latch, exit)?;

        self.b.switch_to_block(latch);
        let left = self.b.use_var(remaining);
        let left = self.b.ins().iadd_imm_s(left, -1);
        self.b.def_var(remaining, left);
        let current = self.b.use_var(counter);
        // Wraps past the last value only when no iteration is left to use it.
        let next = self.b.ins().iadd(current, step);
        self.b.def_var(counter, next);
        let go_on =
            self.b
                .ins()
                .icmp_imm_u(cranelift_codegen::ir::condcodes::IntCC::NotEqual, left, 0);
        self.loop_back(go_on, body_block, exit);

        self.b.switch_to_block(exit);
        Ok(Flow::Open)
    }
}
