//! One long-lived thread with a large stack runs every parse and check: the parser (and the
//! drop of its tree) recurses over the nesting of the text, and the checker over up to
//! `parse::MAX_DEPTH` levels per kernel for up to `MAX_CALL_DEPTH` kernels, so no text may run
//! on the caller's stack. A thread per compile cost ~0.4 ms of the 1 ms decoration budget; a
//! hand-off to this one costs microseconds.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::mpsc::{self, Sender};
use std::sync::{Mutex, OnceLock};

/// Stack of the worker (reserved address space; pages are touched only as deep as a text goes).
const STACK_BYTES: usize = 256 << 20;

type Job = Box<dyn FnOnce() + Send + 'static>;

static WORKER: OnceLock<Mutex<Option<Sender<Job>>>> = OnceLock::new();

fn start() -> Option<Sender<Job>> {
    let (tx, rx) = mpsc::channel::<Job>();
    std::thread::Builder::new()
        .name("chunkjit-check".into())
        .stack_size(STACK_BYTES)
        .spawn(move || {
            for job in rx {
                // A panic is a checker bug: the caller gets no result (and a diagnostic), and
                // the worker stays alive for the next kernel.
                let _ = catch_unwind(AssertUnwindSafe(job));
            }
        })
        .ok()?;
    Some(tx)
}

/// Runs `work` on the large-stack worker and waits for its result; `None` if the worker could
/// not be started or `work` panicked. Calls from several threads take turns.
pub fn run<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> Option<T> {
    let (result_tx, result_rx) = mpsc::sync_channel(1);
    let job: Job = Box::new(move || {
        let _ = result_tx.send(work());
    });
    let sender = {
        let mut slot = WORKER.get_or_init(|| Mutex::new(None)).lock().ok()?;
        if slot.is_none() {
            *slot = start();
        }
        slot.clone()?
    };
    sender.send(job).ok()?;
    result_rx.recv().ok()
}
