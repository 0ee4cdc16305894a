//! Compile-time diagnostics: why a function is not a kernel, pointing at the exact construct.

use crate::source::{Location, Site};
use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DiagKind {
    /// The text does not parse as Python.
    Syntax,
    /// Valid Python outside the kernel subset (a call to `print`, a list, ...).
    Unsupported,
    /// In the subset, but the types do not work out (U8 mixed with S8, a literal that does not
    /// fit its type, a parameter without a type, ...).
    Type,
    /// A name that is not defined.
    Name,
}

#[derive(Clone, Debug)]
pub struct Diagnostic {
    pub kind: DiagKind,
    pub message: String,
    pub site: Site,
}

impl Diagnostic {
    pub fn location(&self) -> Location {
        self.site.location()
    }

    /// `file, line 4, col 9: call to 'print' is not in the kernel subset`, then the source
    /// line and a caret under the construct.
    pub fn render(&self) -> String {
        let loc = self.location();
        let caret_pad: String = loc
            .line_text
            .chars()
            .take(loc.col.saturating_sub(1) as usize)
            .map(|c| if c == '\t' { '\t' } else { ' ' })
            .collect();
        format!(
            "{}, line {}, col {}: {}\n    {}\n    {}^",
            loc.file, loc.line, loc.col, self.message, loc.line_text, caret_pad
        )
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render())
    }
}

impl std::error::Error for Diagnostic {}
