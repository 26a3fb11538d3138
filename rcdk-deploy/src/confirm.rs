//! Confirmations (destroy, widening access, data loss, deleting a failed stack).
//!
//! `--yes` answers them all. Without a terminal they fail at once, naming `--yes`, so that a CI
//! job never hangs on a prompt.

use std::collections::VecDeque;
use std::io::{IsTerminal, Write};
use std::sync::Mutex;

use crate::errors::{Error, Result};
use crate::output::Output;

/// How questions get answered.
#[derive(Debug)]
pub struct Confirm {
    mode: Mode,
}

#[derive(Debug)]
enum Mode {
    Yes,
    Terminal,
    NoTerminal,
    Scripted(Mutex<VecDeque<bool>>),
}

impl Confirm {
    /// Every question is answered yes (`--yes`).
    pub fn yes() -> Confirm {
        Confirm { mode: Mode::Yes }
    }

    /// Asks on the terminal when stdin and stderr are terminals; otherwise questions fail.
    pub fn from_terminal() -> Confirm {
        let terminal = std::io::stdin().is_terminal() && std::io::stderr().is_terminal();
        Confirm {
            mode: if terminal {
                Mode::Terminal
            } else {
                Mode::NoTerminal
            },
        }
    }

    /// `--yes` when `yes`, else [`Confirm::from_terminal`].
    pub fn from_flag(yes: bool) -> Confirm {
        if yes {
            Confirm::yes()
        } else {
            Confirm::from_terminal()
        }
    }

    /// No one to ask: every question fails with [`Error::NeedsConfirmation`].
    pub fn no_terminal() -> Confirm {
        Confirm {
            mode: Mode::NoTerminal,
        }
    }

    /// Answers taken in order from a list (embedding programs, tests); questions beyond the
    /// list fail as if there were no terminal.
    pub fn scripted(answers: impl IntoIterator<Item = bool>) -> Confirm {
        Confirm {
            mode: Mode::Scripted(Mutex::new(answers.into_iter().collect())),
        }
    }

    /// Questions asked on the terminal whether or not there is one (tests of what refuses
    /// terminal questions).
    #[cfg(test)]
    pub(crate) fn terminal() -> Confirm {
        Confirm {
            mode: Mode::Terminal,
        }
    }

    /// Whether questions are asked on the terminal (and wait for someone to answer).
    pub(crate) fn asks_on_terminal(&self) -> bool {
        matches!(self.mode, Mode::Terminal)
    }

    /// Asks `question`; `Ok` means yes.
    pub(crate) async fn ask(&self, output: &Output, question: &str) -> Result<()> {
        let answer = match &self.mode {
            Mode::Yes => {
                output.line(format!("{question} yes (--yes)"));
                true
            }
            Mode::NoTerminal => {
                return Err(Error::NeedsConfirmation {
                    question: question.to_string(),
                })
            }
            Mode::Scripted(answers) => {
                let next = answers
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .pop_front();
                match next {
                    Some(answer) => {
                        output.line(format!("{question} {}", if answer { "yes" } else { "no" }));
                        answer
                    }
                    None => {
                        return Err(Error::NeedsConfirmation {
                            question: question.to_string(),
                        })
                    }
                }
            }
            Mode::Terminal => {
                output.clear_status();
                let prompt = format!("{question} [y/N] ");
                // Read on a blocking thread so Ctrl-C can still interrupt the async caller.
                tokio::task::spawn_blocking(move || {
                    let mut stderr = std::io::stderr();
                    let _ = write!(stderr, "{prompt}");
                    let _ = stderr.flush();
                    let mut line = String::new();
                    std::io::stdin().read_line(&mut line).map(|_| line)
                })
                .await
                .ok()
                .and_then(|r| r.ok())
                .is_some_and(|line| is_yes(&line))
            }
        };
        if answer {
            Ok(())
        } else {
            Err(Error::Declined {
                question: question.to_string(),
            })
        }
    }
}

fn is_yes(line: &str) -> bool {
    matches!(line.trim().to_ascii_lowercase().as_str(), "y" | "yes")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn no_terminal_fails_at_once_naming_yes() {
        let (out, _) = Output::capture();
        let err = Confirm::no_terminal()
            .ask(&out, "Delete stack A?")
            .await
            .unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains("Delete stack A?") && text.contains("--yes"),
            "{text}"
        );
    }

    #[tokio::test]
    async fn scripted_answers_in_order() {
        let (out, captured) = Output::capture();
        let confirm = Confirm::scripted([true, false]);
        assert!(confirm.ask(&out, "One?").await.is_ok());
        assert!(matches!(
            confirm.ask(&out, "Two?").await,
            Err(Error::Declined { .. })
        ));
        assert!(matches!(
            confirm.ask(&out, "Three?").await,
            Err(Error::NeedsConfirmation { .. })
        ));
        assert_eq!(captured.text(), "One? yes\nTwo? no\n");
    }

    #[test]
    fn only_y_and_yes_count() {
        assert!(is_yes("y\n") && is_yes(" YES "));
        assert!(!is_yes("\n") && !is_yes("no") && !is_yes("yess"));
    }
}
