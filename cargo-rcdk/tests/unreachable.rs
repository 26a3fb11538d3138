//! An endpoint nobody listens on, from the command line: one line naming the endpoint, the
//! region and what to check, and a failure exit code.

use rcdk_testkit::command::FakeAws;
use std::process::Command;

/// A loopback URL whose port was just released: connecting to it is refused.
fn closed_port_url() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    format!("http://127.0.0.1:{port}")
}

#[test]
fn diff_from_the_command_line_names_endpoint_and_region_and_fails() {
    let url = closed_port_url();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("cdk.out");
    let mut app = rcdk_core::App::new();
    app.add(
        rcdk_core::Stack::new("App").with("Queue", rcdk_core::RawResource::new("AWS::SQS::Queue")),
    );
    app.synth().unwrap().write(&out).unwrap();
    let result = Command::new(env!("CARGO_BIN_EXE_cargo-rcdk"))
        .args(["rcdk", "diff", "--app"])
        .arg(&out)
        .args(["--region", "eu-west-1", "--endpoint-url", url.as_str()])
        // Fake static credentials; nothing may come from real AWS settings.
        .fake_aws_credentials()
        .env_remove("AWS_SESSION_TOKEN")
        .env_remove("AWS_ENDPOINT_URL")
        .env_remove("AWS_REGION")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert_eq!(
        stderr,
        format!(
            "error: cannot reach the CloudFormation endpoint {url} (region eu-west-1): connection refused — is the endpoint right, is the network up, or pass --endpoint-url\n"
        )
    );
    assert_eq!(result.status.code(), Some(1));
}
