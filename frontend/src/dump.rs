//! A readable text dump of the typed IR (what `kernel.ir` shows users).
