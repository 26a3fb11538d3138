//! A moto server (AWS API emulator) on a free loopback port, for deployment tests.
//!
//! Each [`MotoServer`] is its own process with its own state, so tests do not see each other's
//! stacks. The process is killed when the value is dropped.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::pytools;

/// How long the Python process may take to import moto and bind its port.
const START_TIMEOUT: Duration = Duration::from_secs(60);

/// Lines of the server's log kept for error messages.
const LOG_TAIL: usize = 40;

/// A running `moto_server` bound to 127.0.0.1.
pub struct MotoServer {
    child: Child,
    port: u16,
    log: Arc<Mutex<Vec<String>>>,
}

impl MotoServer {
    /// Starts `moto_server` from the tools virtualenv on a free port (the server binds port 0
    /// and reports the port it got) and waits until it accepts connections.
    pub fn start() -> Result<MotoServer, String> {
        let bin = pytools::bin("moto_server")?;
        MotoServer::spawn(Command::new(&bin), &bin)
    }

    /// As [`MotoServer::start`], through a Python script of the tools virtualenv that patches
    /// moto's gaps and then runs `moto.server.main()` (taking moto_server's arguments).
    pub fn start_script(script: &Path) -> Result<MotoServer, String> {
        if !script.is_file() {
            return Err(format!("moto script {} does not exist", script.display()));
        }
        let python = pytools::bin("python")?;
        let mut cmd = Command::new(&python);
        cmd.arg(script);
        MotoServer::spawn(cmd, &python)
    }

    fn spawn(mut cmd: Command, bin: &Path) -> Result<MotoServer, String> {
        let mut child = cmd
            .args(["-H", "127.0.0.1", "-p", "0"])
            // Never let anything in the emulator look for real credentials.
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .env("AWS_DEFAULT_REGION", "us-east-1")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", bin.display()))?;
        let stderr = child.stderr.take().expect("stderr is piped");
        let log = Arc::new(Mutex::new(Vec::new()));
        let (tx, rx) = mpsc::channel();
        let thread_log = Arc::clone(&log);
        // The reader keeps draining the log after startup: a full pipe would block the server.
        std::thread::spawn(move || {
            let mut tx = Some(tx);
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                if let (Some(port), Some(sender)) = (parse_port(&line), tx.as_ref()) {
                    let _ = sender.send(port);
                    tx = None;
                }
                let mut log = thread_log.lock().unwrap_or_else(|e| e.into_inner());
                if log.len() == LOG_TAIL {
                    log.remove(0);
                }
                log.push(line);
            }
        });
        let mut server = MotoServer {
            child,
            port: 0,
            log,
        };
        server.port = match rx.recv_timeout(START_TIMEOUT) {
            Ok(port) => port,
            Err(_) => {
                return Err(format!(
                    "moto_server did not report its port within {START_TIMEOUT:?}; its log:\n{}",
                    server.log_tail()
                ))
            }
        };
        server.wait_ready()?;
        Ok(server)
    }

    /// The endpoint URL to give SDK clients, `http://127.0.0.1:PORT`.
    pub fn endpoint_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The port the server listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The last lines the server logged (requests, tracebacks), for assertion messages.
    pub fn log_tail(&self) -> String {
        self.log
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .join("\n")
    }

    /// Clears all emulated state (moto's `/moto-api/reset`).
    pub fn reset(&self) -> Result<(), String> {
        let status = self.request("POST", "/moto-api/reset")?;
        if status == 200 {
            Ok(())
        } else {
            Err(format!("moto reset answered HTTP {status}"))
        }
    }

    /// Creates an S3 bucket (path-style `PUT /NAME`; moto's server treats a request it cannot
    /// attribute to a service as S3, so no signature is needed).
    pub fn create_bucket(&self, name: &str) -> Result<(), String> {
        match self.request("PUT", &format!("/{name}"))? {
            200 => Ok(()),
            status => Err(format!("creating bucket {name} answered HTTP {status}")),
        }
    }

    fn wait_ready(&mut self) -> Result<(), String> {
        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(format!(
                    "moto_server exited ({status}) during startup; its log:\n{}",
                    self.log_tail()
                ));
            }
            match self.request("GET", "/moto-api/data.json") {
                Ok(200) => return Ok(()),
                Ok(_) | Err(_) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(50))
                }
                Ok(status) => return Err(format!("moto_server answers HTTP {status}")),
                Err(e) => return Err(format!("moto_server does not answer: {e}")),
            }
        }
    }

    /// A minimal HTTP/1.0 request on loopback; returns the status code.
    fn request(&self, method: &str, path: &str) -> Result<u16, String> {
        let addr = SocketAddr::from(([127, 0, 0, 1], self.port));
        let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(2))
            .map_err(|e| format!("connect to {addr}: {e}"))?;
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .map_err(|e| e.to_string())?;
        write!(
            stream,
            "{method} {path} HTTP/1.0\r\nHost: 127.0.0.1:{}\r\nContent-Length: 0\r\n\r\n",
            self.port
        )
        .map_err(|e| format!("write to {addr}: {e}"))?;
        let mut response = String::new();
        stream
            .read_to_string(&mut response)
            .map_err(|e| format!("read from {addr}: {e}"))?;
        response
            .split_whitespace()
            .nth(1)
            .and_then(|code| code.parse().ok())
            .ok_or_else(|| format!("malformed HTTP response from {addr}"))
    }
}

impl Drop for MotoServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The port from werkzeug's ` * Running on http://127.0.0.1:PORT` line.
fn parse_port(line: &str) -> Option<u16> {
    let rest = line.split("Running on http://127.0.0.1:").nth(1)?;
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok().filter(|p| *p != 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_werkzeug_banner() {
        assert_eq!(
            parse_port(" * Running on http://127.0.0.1:38469"),
            Some(38469)
        );
        assert_eq!(parse_port("Press CTRL+C to quit"), None);
        assert_eq!(parse_port(" * Running on http://127.0.0.1:0"), None);
    }

    #[test]
    fn starts_answers_resets_and_stops() {
        let server = MotoServer::start().expect("moto server starts");
        assert!(server.endpoint_url().starts_with("http://127.0.0.1:"));
        server.reset().expect("reset answers");
        server.create_bucket("templates").expect("bucket created");
        assert_eq!(server.request("GET", "/templates"), Ok(200));
        assert_eq!(server.request("GET", "/missing-bucket"), Ok(404));
        let port = server.port();
        drop(server);
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        assert!(
            TcpStream::connect_timeout(&addr, Duration::from_millis(500)).is_err(),
            "port {port} still open after drop"
        );
    }
}
