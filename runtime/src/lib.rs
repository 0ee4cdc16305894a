//! runtime: the chunk array (Xar layout) and the drivers that run a compiled chunk loop over it.
//! Knows the loop ABI, not how the code behind it was produced, and nothing of Python.

pub mod abi;
pub mod compare;
pub mod dtype;
pub mod element;
pub mod error;
pub mod geometry;
pub mod pool;
pub mod ranges;
pub mod reduce_builtin;
pub mod xar;

pub use dtype::{ALL_DTYPES, DType, Kind};
pub use element::Element;
pub use error::ArrayError;
pub use geometry::{DEFAULT_FIRST_CHUNK, Geometry, MAX_CHUNKS};
pub use xar::{ChunkArray, Segment};
