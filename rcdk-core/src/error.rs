//! Errors of synthesis: each names the construct path it is about and says what to change.

use std::fmt;

/// One problem found while synthesizing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SynthError {
    /// Path of the construct concerned (`Stack/Construct/Child`), or the output directory for
    /// write errors.
    pub path: String,
    /// What is wrong.
    pub message: String,
    /// What to change.
    pub hint: Option<String>,
}

impl SynthError {
    /// An error at `path`.
    pub fn new(path: impl Into<String>, message: impl Into<String>) -> SynthError {
        SynthError {
            path: path.into(),
            message: message.into(),
            hint: None,
        }
    }

    /// Adds a hint.
    pub fn hint(mut self, hint: impl Into<String>) -> SynthError {
        self.hint = Some(hint.into());
        self
    }
}

impl fmt::Display for SynthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, "\n  hint: {hint}")?;
        }
        Ok(())
    }
}

impl std::error::Error for SynthError {}

/// Every problem synthesis found; nothing was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SynthErrors(pub Vec<SynthError>);

impl SynthErrors {
    /// Whether any error mentions `text` (for tests).
    pub fn mentions(&self, text: &str) -> bool {
        self.0.iter().any(|e| e.to_string().contains(text))
    }
}

impl fmt::Display for SynthErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.0.len();
        writeln!(
            f,
            "synthesis failed with {n} error{}:",
            if n == 1 { "" } else { "s" }
        )?;
        for e in &self.0 {
            writeln!(f, "error at {e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for SynthErrors {}

impl From<SynthError> for SynthErrors {
    fn from(e: SynthError) -> Self {
        SynthErrors(vec![e])
    }
}
