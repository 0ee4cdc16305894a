//! runtime: the chunk array (Xar layout) and the drivers that run a compiled chunk loop over it.
//! Knows the loop ABI, not how the code behind it was produced, and nothing of Python.

pub mod abi;
