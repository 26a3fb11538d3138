//! Where progress goes: plain lines, plus a spinner when stdout is a terminal.

use std::io::{IsTerminal, Write};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

/// Output sink shared by all operations of a [`crate::Deploy`].
pub struct Output {
    writer: Mutex<Box<dyn Write + Send>>,
    spinner: Mutex<Option<ProgressBar>>,
    terminal: bool,
}

impl std::fmt::Debug for Output {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Output")
            .field("terminal", &self.terminal)
            .finish()
    }
}

impl Output {
    /// Standard output; a spinner shows while waiting when it is a terminal.
    pub fn stdout() -> Output {
        Output {
            writer: Mutex::new(Box::new(std::io::stdout())),
            spinner: Mutex::new(None),
            terminal: std::io::stdout().is_terminal(),
        }
    }

    /// Any writer, without a spinner (logs, tests).
    pub fn writer(writer: impl Write + Send + 'static) -> Output {
        Output {
            writer: Mutex::new(Box::new(writer)),
            spinner: Mutex::new(None),
            terminal: false,
        }
    }

    /// An in-memory sink and a handle to read what was written.
    pub fn capture() -> (Output, Captured) {
        let captured = Captured::default();
        (Output::writer(captured.clone()), captured)
    }

    /// Writes one line (above the spinner, if one is showing).
    pub fn line(&self, text: impl AsRef<str>) {
        let text = text.as_ref();
        let spinner = self.spinner.lock().unwrap_or_else(|e| e.into_inner());
        let mut writer = self.writer.lock().unwrap_or_else(|e| e.into_inner());
        match spinner.as_ref() {
            Some(bar) => bar.suspend(|| {
                let _ = writeln!(writer, "{text}");
                let _ = writer.flush();
            }),
            None => {
                let _ = writeln!(writer, "{text}");
                let _ = writer.flush();
            }
        }
    }

    /// Shows (or updates) the spinner's message; does nothing off a terminal.
    pub fn status(&self, message: impl Into<String>) {
        if !self.terminal {
            return;
        }
        let mut spinner = self.spinner.lock().unwrap_or_else(|e| e.into_inner());
        let bar = spinner.get_or_insert_with(|| {
            let bar = ProgressBar::new_spinner();
            if let Ok(style) = ProgressStyle::with_template("{spinner} {elapsed:>4} {msg}") {
                bar.set_style(style);
            }
            bar.enable_steady_tick(Duration::from_millis(120));
            bar
        });
        bar.set_message(message.into());
    }

    /// Removes the spinner.
    pub fn clear_status(&self) {
        if let Some(bar) = self
            .spinner
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take()
        {
            bar.finish_and_clear();
        }
    }

    /// Whether prompts can be shown on this output.
    pub fn is_terminal(&self) -> bool {
        self.terminal
    }
}

impl Drop for Output {
    fn drop(&mut self) {
        self.clear_status();
    }
}

/// Text written to an [`Output::capture`] sink.
#[derive(Debug, Clone, Default)]
pub struct Captured(Arc<Mutex<Vec<u8>>>);

impl Captured {
    /// Everything written so far.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap_or_else(|e| e.into_inner())).into_owned()
    }
}

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
