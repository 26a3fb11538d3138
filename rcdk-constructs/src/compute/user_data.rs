//! User data: the script an instance runs at its first boot.

use rcdk_core::{fns, Val};

use crate::error::ConstructError;

/// EC2's limit on user data before base64 encoding, in bytes.
pub const USER_DATA_MAX_BYTES: usize = 16_384;

/// A shell script run as root at first boot (cloud-init), built line by line. The script
/// stops at the first failing command (`set -euo pipefail`), so that a half-configured
/// instance fails its health checks instead of serving.
///
/// ```
/// use rcdk_constructs::compute::UserData;
/// let script = UserData::shell()
///     .command("dnf install -y docker")
///     .command("systemctl enable --now docker");
/// assert!(script.text().starts_with("#!/bin/bash\nset -euo pipefail\n"));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct UserData {
    lines: Vec<Val<String>>,
}

impl UserData {
    /// An empty bash script.
    pub fn shell() -> UserData {
        UserData {
            lines: vec![Val::from("#!/bin/bash"), Val::from("set -euo pipefail")],
        }
    }

    /// Appends a command (a literal, or a value known at deployment such as a bucket name
    /// joined in with `fns::join`).
    pub fn command(mut self, line: impl Into<Val<String>>) -> UserData {
        self.lines.push(line.into());
        self
    }

    /// The script's literal text (template values shown as `?`), for tests and size checks.
    pub fn text(&self) -> String {
        let mut text = String::new();
        for line in &self.lines {
            text.push_str(line.value().as_str().unwrap_or("?"));
            text.push('\n');
        }
        text
    }

    /// Checks the size of the literal part against EC2's 16 KiB limit.
    pub(crate) fn check(&self) -> Result<(), ConstructError> {
        let size = self.text().len();
        if size > USER_DATA_MAX_BYTES {
            return Err(ConstructError::OutOfRange {
                construct: "LaunchTemplate",
                setting: "user data (bytes)",
                value: size as i64,
                allowed: "at most 16,384 bytes before base64: move the script to S3 or an \
                          image and fetch it from a short one",
            });
        }
        Ok(())
    }

    /// `Fn::Base64` of the script, as EC2 wants it.
    pub(crate) fn encoded(&self) -> Val<String> {
        // A literal script stays readable in the template; values known at deployment need
        // `Fn::Join`.
        if self.lines.iter().all(|l| l.value().as_str().is_some()) {
            return fns::base64(self.text());
        }
        let mut lines = self.lines.clone();
        lines.push(Val::from(""));
        fns::base64(fns::join("\n", lines))
    }
}
