//! A moto server (AWS API emulator) on a free loopback port, for deployment tests.
//!
//! Each [`MotoServer`] is its own process with its own state, so tests do not see each other's
//! stacks. The process is killed when the value is dropped.
//!
//! A server started from a patch script ([`MotoServer::start_script`]) may stand made-up things
//! in for what moto lacks; the script records each one in a file the test reads back with
//! [`MotoServer::substitutions`], so that a test can assert the exact set and a new gap cannot
//! hide.

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

/// The environment variable naming the file where a patch script records each substitution, one
/// JSON object a line: `kind`, `stack`, `logical_id`, `type` and, for an attribute, `attribute`.
/// The script creates the file (empty) when it starts.
pub const SUBSTITUTIONS_ENV: &str = "RCDK_MOTO_SUBSTITUTIONS";

/// What a patch script made up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SubstitutionKind {
    /// An inert placeholder for a resource whose type moto's CloudFormation does not implement.
    Placeholder,
    /// A made-up value for an `Fn::GetAtt` attribute moto's model of the type does not implement.
    Attribute,
}

/// One thing a patch script stood in for what moto lacks.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Substitution {
    /// Placeholder resource or made-up attribute.
    pub kind: SubstitutionKind,
    /// The stack the resource belongs to.
    pub stack: String,
    /// The resource's logical id in its template.
    pub logical_id: String,
    /// The resource's type, e.g. `AWS::IAM::RolePolicy`.
    pub resource_type: String,
    /// The attribute, for [`SubstitutionKind::Attribute`].
    pub attribute: Option<String>,
}

impl Substitution {
    /// What was substituted, the same for every resource of the kind: the type of a placeholder,
    /// `TYPE.ATTRIBUTE` of a made-up attribute.
    pub fn what(&self) -> String {
        match &self.attribute {
            Some(attribute) => format!("{}.{attribute}", self.resource_type),
            None => self.resource_type.clone(),
        }
    }
}

/// A running `moto_server` bound to 127.0.0.1.
pub struct MotoServer {
    child: Child,
    port: u16,
    log: Arc<Mutex<Vec<String>>>,
    /// The directory of the substitution record, for a server started from a patch script.
    record: Option<tempfile::TempDir>,
}

impl MotoServer {
    /// Starts `moto_server` from the tools virtualenv on a free port (the server binds port 0
    /// and reports the port it got) and waits until it accepts connections.
    pub fn start() -> Result<MotoServer, String> {
        let bin = pytools::bin("moto_server")?;
        MotoServer::spawn(Command::new(&bin), &bin, None)
    }

    /// As [`MotoServer::start`], through a Python script of the tools virtualenv that patches
    /// moto's gaps and then runs `moto.server.main()` (taking moto_server's arguments). The
    /// script gets a file to record its substitutions in through [`SUBSTITUTIONS_ENV`].
    pub fn start_script(script: &Path) -> Result<MotoServer, String> {
        if !script.is_file() {
            return Err(format!("moto script {} does not exist", script.display()));
        }
        let python = pytools::bin("python")?;
        let record = tempfile::tempdir().map_err(|e| format!("substitution record: {e}"))?;
        let mut cmd = Command::new(&python);
        cmd.arg(script)
            .env(SUBSTITUTIONS_ENV, record.path().join(RECORD_FILE));
        MotoServer::spawn(cmd, &python, Some(record))
    }

    fn spawn(
        mut cmd: Command,
        bin: &Path,
        record: Option<tempfile::TempDir>,
    ) -> Result<MotoServer, String> {
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
            record,
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

    /// Everything the patch script substituted so far, in the order it did. An error when the
    /// server was not started from a script, or the script did not create its record (it does
    /// not record substitutions, so nothing it substitutes would be seen).
    pub fn substitutions(&self) -> Result<Vec<Substitution>, String> {
        let dir = self
            .record
            .as_ref()
            .ok_or("moto was started without a patch script, which alone substitutes")?;
        let path = dir.path().join(RECORD_FILE);
        let text = std::fs::read_to_string(&path).map_err(|e| {
            format!(
                "the patch script did not create its substitution record {} ({SUBSTITUTIONS_ENV}): {e}",
                path.display()
            )
        })?;
        parse_substitutions(&text)
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

/// The name of the substitution record in its directory.
const RECORD_FILE: &str = "substitutions.jsonl";

/// The substitutions of a record, one JSON object a line.
fn parse_substitutions(text: &str) -> Result<Vec<Substitution>, String> {
    text.lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| {
            let entry: serde_json::Value = serde_json::from_str(line)
                .map_err(|e| format!("substitution record line {line:?}: {e}"))?;
            let field = |name: &str| {
                entry[name]
                    .as_str()
                    .map(str::to_string)
                    .ok_or_else(|| format!("substitution record line {line:?} has no {name}"))
            };
            let (kind, attribute) = match field("kind")?.as_str() {
                "placeholder" => (SubstitutionKind::Placeholder, None),
                "attribute" => (SubstitutionKind::Attribute, Some(field("attribute")?)),
                other => {
                    return Err(format!(
                        "substitution record line {line:?}: unknown kind {other:?}"
                    ))
                }
            };
            Ok(Substitution {
                kind,
                stack: field("stack")?,
                logical_id: field("logical_id")?,
                resource_type: field("type")?,
                attribute,
            })
        })
        .collect()
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
    fn parses_the_substitution_record() {
        let text = concat!(
            r#"{"kind": "placeholder", "stack": "App", "logical_id": "Policy1", "type": "AWS::IAM::RolePolicy"}"#,
            "\n",
            r#"{"kind": "attribute", "stack": "Db", "logical_id": "Database", "type": "AWS::RDS::DBInstance", "attribute": "MasterUserSecret.SecretArn"}"#,
            "\n",
        );
        let subs = parse_substitutions(text).unwrap();
        assert_eq!(subs.len(), 2);
        assert_eq!(subs[0].kind, SubstitutionKind::Placeholder);
        assert_eq!(subs[0].stack, "App");
        assert_eq!(subs[0].logical_id, "Policy1");
        assert_eq!(subs[0].what(), "AWS::IAM::RolePolicy");
        assert_eq!(subs[1].kind, SubstitutionKind::Attribute);
        assert_eq!(
            subs[1].what(),
            "AWS::RDS::DBInstance.MasterUserSecret.SecretArn"
        );
        assert_eq!(parse_substitutions("").unwrap(), Vec::new());
        let unknown =
            r#"{"kind": "ignored", "stack": "S", "logical_id": "L", "type": "AWS::A::B"}"#;
        assert!(parse_substitutions(unknown)
            .unwrap_err()
            .contains("unknown kind"));
        let no_attribute = r#"{"kind": "attribute", "stack": "S", "logical_id": "L", "type": "T"}"#;
        assert!(parse_substitutions(no_attribute)
            .unwrap_err()
            .contains("no attribute"));
        assert!(parse_substitutions("not json").is_err());
    }

    #[test]
    fn a_script_records_its_substitutions() {
        let dir = tempfile::tempdir().unwrap();
        let recording = dir.path().join("recording.py");
        std::fs::write(
            &recording,
            "import json, os, sys\n\
             with open(os.environ['RCDK_MOTO_SUBSTITUTIONS'], 'w') as out:\n\
             \x20   out.write(json.dumps({'kind': 'placeholder', 'stack': 'S', 'logical_id': 'L', 'type': 'AWS::A::B'}) + '\\n')\n\
             from moto.server import main\n\
             sys.exit(main())\n",
        )
        .unwrap();
        let server = MotoServer::start_script(&recording).expect("moto server starts");
        let subs = server.substitutions().expect("record read");
        assert_eq!(subs.len(), 1);
        assert_eq!(subs[0].what(), "AWS::A::B");
        drop(server);

        let silent = dir.path().join("silent.py");
        std::fs::write(
            &silent,
            "import sys\nfrom moto.server import main\nsys.exit(main())\n",
        )
        .unwrap();
        let server = MotoServer::start_script(&silent).expect("moto server starts");
        let error = server.substitutions().unwrap_err();
        assert!(error.contains("did not create"), "{error}");
    }

    #[test]
    fn starts_answers_resets_and_stops() {
        let server = MotoServer::start().expect("moto server starts");
        assert!(server.endpoint_url().starts_with("http://127.0.0.1:"));
        server.reset().expect("reset answers");
        server.create_bucket("templates").expect("bucket created");
        assert!(
            server.substitutions().is_err(),
            "plain moto_server has no substitution record"
        );
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
