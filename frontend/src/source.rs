//! Kernel source text and byte spans into it. Line and column are computed only when a
//! diagnostic or a runtime error is rendered (the Ruff model).

use std::sync::Arc;

/// The source of one kernel function as the user wrote it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    /// The function's text, starting at its `def` line (decorators may precede it).
    pub text: String,
    /// The file it came from (shown in diagnostics).
    pub file: String,
    /// The line number in `file` of the first line of `text` (1-based).
    pub first_line: u32,
}

/// A byte range into a `Source::text`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct Span {
    pub start: u32,
    pub end: u32,
}

/// A place in some kernel's source: where a diagnostic points or a runtime fault happened.
/// Carries its source because a kernel may inline other kernels.
#[derive(Clone, Debug)]
pub struct Site {
    pub source: Arc<Source>,
    pub span: Span,
}

/// Line and column (both 1-based, column in characters) of a byte offset, in the user's file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location {
    pub file: String,
    pub line: u32,
    pub col: u32,
    /// The whole source line, without its newline.
    pub line_text: String,
}

impl Source {
    pub fn new(text: impl Into<String>, file: impl Into<String>, first_line: u32) -> Source {
        Source { text: text.into(), file: file.into(), first_line: first_line.max(1) }
    }

    /// Line/column of byte `offset` (clamped into the text).
    pub fn locate(&self, offset: u32) -> Location {
        let text = &self.text;
        let mut off = (offset as usize).min(text.len());
        while !text.is_char_boundary(off) {
            off -= 1;
        }
        let line_start = text[..off].rfind('\n').map_or(0, |i| i + 1);
        let line_end = text[off..].find('\n').map_or(text.len(), |i| off + i);
        let line_index = text[..line_start].matches('\n').count() as u32;
        Location {
            file: self.file.clone(),
            line: self.first_line + line_index,
            col: text[line_start..off].chars().count() as u32 + 1,
            line_text: text[line_start..line_end].trim_end_matches('\r').to_string(),
        }
    }
}

impl Site {
    pub fn location(&self) -> Location {
        self.source.locate(self.span.start)
    }
}
