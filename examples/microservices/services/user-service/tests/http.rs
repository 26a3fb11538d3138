//! Runs the built binary on a free port, calls its routes with plain HTTP/1.1 requests, probes
//! it with `--health-check`, and stops it with SIGTERM as ECS does.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, ChildStdout, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_user-service");

/// The service process; killed if a test fails before it stops it.
struct Service {
    child: Child,
    stdout: BufReader<ChildStdout>,
    addr: SocketAddr,
}

impl Service {
    /// Starts the binary with `PORT=0` and reads the port it bound from its first line.
    fn start() -> Service {
        let mut child = Command::new(BIN)
            .env("PORT", "0")
            .stdout(Stdio::piped())
            .spawn()
            .expect("user-service starts");
        let mut stdout = BufReader::new(child.stdout.take().expect("stdout is piped"));
        let mut line = String::new();
        stdout.read_line(&mut line).expect("first line");
        let port: u16 = line
            .trim()
            .rsplit(':')
            .next()
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("no port in {line:?}"));
        Service {
            child,
            stdout,
            addr: SocketAddr::from(([127, 0, 0, 1], port)),
        }
    }

    /// Sends SIGTERM and waits for the process to exit.
    fn terminate(&mut self) -> ExitStatus {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success());
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return status;
            }
            assert!(Instant::now() < deadline, "no exit within 10 s of SIGTERM");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `GET path` over a fresh connection; returns the status code and the body.
fn get(addr: SocketAddr, path: &str) -> (u16, String) {
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(2)).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .expect("timeout");
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .expect("write");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("read");
    let (head, body) = response.split_once("\r\n\r\n").expect("head and body");
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or_else(|| panic!("no status in {head:?}"));
    (status, body.to_string())
}

#[test]
fn serves_health_and_users_then_stops_on_sigterm() {
    let mut service = Service::start();
    assert_eq!(get(service.addr, "/health"), (200, "ok".to_string()));

    let (status, body) = get(service.addr, "/users/42");
    assert_eq!(status, 200, "{body}");
    let user: serde_json::Value = serde_json::from_str(&body).expect("JSON body");
    assert_eq!(user["id"], 42);
    assert_eq!(user["name"], "User 42");

    assert_eq!(get(service.addr, "/users/not-a-number").0, 400);
    assert_eq!(get(service.addr, "/orders/1").0, 404);

    let probe = Command::new(BIN)
        .arg("--health-check")
        .env("PORT", service.addr.port().to_string())
        .status()
        .expect("health check runs");
    assert!(
        probe.success(),
        "--health-check failed against a healthy service"
    );

    let status = service.terminate();
    assert!(status.success(), "exit after SIGTERM: {status}");
    let mut rest = String::new();
    service.stdout.read_to_string(&mut rest).expect("stdout");
    assert!(rest.contains("user-service stopped"), "{rest}");
    assert!(!user_service::health_check(service.addr), "still answering");
}

#[test]
fn rejects_a_port_that_is_not_a_number() {
    let output = Command::new(BIN)
        .env("PORT", "http")
        .output()
        .expect("user-service runs");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("PORT=\"http\" is not a port number"),
        "{stderr}"
    );
}
