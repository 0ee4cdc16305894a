//! The thread pool every parallel driver runs on: one per process, sized by `set_num_threads`,
//! else by the `CHUNKJIT_NUM_THREADS` environment variable (read once), else by the number of
//! available cores.

use std::fmt;
use std::sync::{Arc, Mutex, OnceLock};

use rayon::{ThreadPool, ThreadPoolBuilder};

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PoolError {
    /// Zero threads requested.
    ZeroThreads,
    /// The operating system refused to start the worker threads.
    Build(String),
}

impl fmt::Display for PoolError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PoolError::ZeroThreads => f.write_str("the number of threads must be at least 1"),
            PoolError::Build(why) => write!(f, "could not start the worker threads: {why}"),
        }
    }
}

impl std::error::Error for PoolError {}

struct Shared {
    threads: usize,
    pool: Option<Arc<ThreadPool>>,
}

fn shared() -> &'static Mutex<Shared> {
    static SHARED: OnceLock<Mutex<Shared>> = OnceLock::new();
    SHARED.get_or_init(|| {
        Mutex::new(Shared {
            threads: default_threads(),
            pool: None,
        })
    })
}

fn default_threads() -> usize {
    let from_env = std::env::var("CHUNKJIT_NUM_THREADS")
        .ok()
        .and_then(|v| v.trim().parse::<usize>().ok())
        .filter(|&n| n > 0);
    from_env.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}

/// The number of threads parallel work uses.
pub fn num_threads() -> usize {
    shared().lock().map_or(1, |s| s.threads)
}

/// Sets the number of threads later parallel work uses (work in flight keeps its pool).
pub fn set_num_threads(threads: usize) -> Result<(), PoolError> {
    if threads == 0 {
        return Err(PoolError::ZeroThreads);
    }
    let mut shared = shared()
        .lock()
        .map_err(|e| PoolError::Build(e.to_string()))?;
    if shared.threads != threads {
        shared.threads = threads;
        shared.pool = None;
    }
    Ok(())
}

/// The shared pool of `num_threads()` workers, started on first use; `None` when one thread is
/// configured (work then runs on the calling thread).
pub fn global_pool() -> Result<Option<Arc<ThreadPool>>, PoolError> {
    let mut shared = shared()
        .lock()
        .map_err(|e| PoolError::Build(e.to_string()))?;
    if shared.threads <= 1 {
        return Ok(None);
    }
    if let Some(pool) = &shared.pool {
        return Ok(Some(Arc::clone(pool)));
    }
    let pool = Arc::new(build_pool(shared.threads)?);
    shared.pool = Some(Arc::clone(&pool));
    Ok(Some(pool))
}

/// A pool of exactly `threads` workers, for callers that ask for a specific count.
pub fn build_pool(threads: usize) -> Result<ThreadPool, PoolError> {
    if threads == 0 {
        return Err(PoolError::ZeroThreads);
    }
    ThreadPoolBuilder::new()
        .num_threads(threads)
        .thread_name(|i| format!("chunkjit-{i}"))
        .build()
        .map_err(|e| PoolError::Build(e.to_string()))
}
