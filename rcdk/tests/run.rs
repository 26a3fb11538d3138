//! `run()` on an app and on the `Result` of building one.

use std::process::ExitCode;

use rcdk::prelude::*;

/// What a program's own build step might fail with.
#[derive(Debug)]
struct ConfigError(&'static str);

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // A trailing newline, as some errors have: the message is printed without it.
        writeln!(f, "unknown environment '{}'; use dev or prod", self.0)
    }
}

fn build_app(fail: bool) -> Result<App, ConfigError> {
    if fail {
        return Err(ConfigError("qa"));
    }
    let mut app = App::new();
    app.add(Stack::new("Hello").with("Queue", RawResource::new("AWS::SQS::Queue")));
    Ok(app)
}

#[test]
fn a_built_app_runs_its_command() {
    assert_eq!(
        build_app(false).run_with_args(["app", "list"]),
        ExitCode::SUCCESS
    );
}

#[test]
fn an_app_that_failed_to_build_exits_with_failure() {
    assert_eq!(
        build_app(true).run_with_args(["app", "list"]),
        ExitCode::FAILURE
    );
}

#[test]
fn any_displayable_error_is_accepted() {
    let built: Result<App, String> = Err("no stacks configured for region eu-west-9".into());
    assert_eq!(built.run_with_args(["app", "synth"]), ExitCode::FAILURE);
}

#[test]
fn the_error_is_one_message_from_its_display() {
    let Err(e) = build_app(true) else {
        panic!("the build fails");
    };
    assert_eq!(
        rcdk::build_error_message(&e),
        "error: the app could not be built: unknown environment 'qa'; use dev or prod"
    );
}

#[test]
fn a_plain_app_still_runs() {
    let mut app = App::new();
    app.add(Stack::new("Hello").with("Queue", RawResource::new("AWS::SQS::Queue")));
    assert_eq!(app.run_with_args(["app", "list"]), ExitCode::SUCCESS);
}
