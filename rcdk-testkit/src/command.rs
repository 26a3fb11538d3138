//! Running programs from tests: fake static AWS credentials with nothing read from the
//! developer's AWS settings, and a finished command's output for assertion messages.

use std::process::{Command, Output};

/// Gives a command fake static credentials and keeps every AWS setting of the machine away
/// from it: no config or credentials file, no profile, and no instance-metadata probe.
pub trait FakeAws {
    /// Sets `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY` to `testing`, points the config
    /// and credentials files at `/dev/null`, disables instance metadata and removes
    /// `AWS_PROFILE`. The endpoint stays the caller's to give.
    fn fake_aws_credentials(&mut self) -> &mut Self;
}

impl FakeAws for Command {
    fn fake_aws_credentials(&mut self) -> &mut Self {
        self.env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env("AWS_CONFIG_FILE", "/dev/null")
            .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
            .env_remove("AWS_PROFILE")
    }
}

/// The exit status, stdout and stderr of a finished command, for assertion messages.
pub fn transcript(out: &Output) -> String {
    format!(
        "exit: {}\n--- stdout ---\n{}\n--- stderr ---\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// The transcript of a command that must have succeeded; fails the test with it otherwise.
pub fn succeeded(out: Output) -> String {
    assert!(out.status.success(), "{}", transcript(&out));
    transcript(&out)
}
