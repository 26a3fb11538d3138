//! A local OCI registry (the CNCF distribution registry, Debian package `docker-registry`) on a
//! free loopback port, for the container image tests.
//!
//! Each [`Registry`] is its own `docker-registry serve` process with its own storage in a
//! temporary directory, so tests do not see each other's images. The process is killed and the
//! storage removed when the value is dropped. [`RegistryBuilder`] adds basic authentication or a
//! read-only mode, the two ways a test makes the registry refuse a push.
//!
//! ```no_run
//! let registry = rcdk_testkit::registry::Registry::start().unwrap();
//! let base = rcdk_testkit::oci_fixture::push_base_image(&registry).unwrap();
//! let config = registry.skopeo().inspect_config(&base).unwrap();
//! assert_eq!(config["config"]["Env"][0], "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
//! ```

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::skopeo::Skopeo;

/// How long the registry may take to bind its port and answer `/v2/`.
const START_TIMEOUT: Duration = Duration::from_secs(30);

/// Lines of the registry's log kept for error messages.
const LOG_TAIL: usize = 40;

/// Attempts at a free port: another process may take the port between our probe and the
/// registry's bind, which only shows as an early exit of the registry.
const PORT_ATTEMPTS: usize = 5;

/// The realm the registry names in its `WWW-Authenticate` challenge.
const AUTH_REALM: &str = "rcdk-test-registry";

/// How a [`Registry`] is started; [`Registry::builder`] makes one.
#[derive(Debug, Clone, Default)]
pub struct RegistryBuilder {
    credentials: Option<(String, String)>,
    read_only: bool,
}

impl RegistryBuilder {
    /// Requires HTTP basic authentication with this user and password (an htpasswd file with a
    /// bcrypt hash, the only hash the registry accepts). Anonymous requests then get 401.
    pub fn htpasswd(mut self, user: &str, password: &str) -> RegistryBuilder {
        self.credentials = Some((user.to_string(), password.to_string()));
        self
    }

    /// Starts the registry in read-only maintenance mode: pulls work, every push is refused
    /// (HTTP 405 on upload and manifest PUT).
    pub fn read_only(mut self) -> RegistryBuilder {
        self.read_only = true;
        self
    }

    /// Starts the registry and waits until `GET /v2/` answers.
    pub fn start(self) -> Result<Registry, String> {
        let bin = which("docker-registry").ok_or_else(|| {
            "docker-registry is not on PATH: run scripts/debian-tools.sh (Debian package \
             docker-registry)"
                .to_string()
        })?;
        let mut last_error = String::new();
        for _ in 0..PORT_ATTEMPTS {
            match self.try_start(&bin) {
                Ok(registry) => return Ok(registry),
                Err(StartError::PortTaken(e)) => last_error = e,
                Err(StartError::Other(e)) => return Err(e),
            }
        }
        Err(format!(
            "docker-registry found no free port in {PORT_ATTEMPTS} attempts: {last_error}"
        ))
    }

    fn try_start(&self, bin: &Path) -> Result<Registry, StartError> {
        let other = |e: String| StartError::Other(e);
        let dir = tempfile::Builder::new()
            .prefix("rcdk-registry-")
            .tempdir()
            .map_err(|e| other(format!("cannot create the registry's directory: {e}")))?;
        let storage = dir.path().join("storage");
        std::fs::create_dir(&storage)
            .map_err(|e| other(format!("cannot create {}: {e}", storage.display())))?;
        let htpasswd = match &self.credentials {
            Some((user, password)) => {
                let path = dir.path().join("htpasswd");
                // Cost 4 is bcrypt's minimum: the registry checks the hash on every request.
                let hash = bcrypt::hash(password, 4)
                    .map_err(|e| other(format!("cannot hash the registry password: {e}")))?;
                std::fs::write(&path, format!("{user}:{hash}\n"))
                    .map_err(|e| other(format!("cannot write {}: {e}", path.display())))?;
                Some(path)
            }
            None => None,
        };
        let port = free_port().map_err(other)?;
        let config = dir.path().join("config.yml");
        std::fs::write(
            &config,
            config_yaml(&storage, port, htpasswd.as_deref(), self.read_only),
        )
        .map_err(|e| other(format!("cannot write {}: {e}", config.display())))?;

        let mut child = Command::new(bin)
            .arg("serve")
            .arg(&config)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| other(format!("cannot start {}: {e}", bin.display())))?;
        let stderr = child.stderr.take().expect("stderr is piped");
        let log = Arc::new(Mutex::new(Vec::new()));
        let thread_log = Arc::clone(&log);
        // The reader keeps draining the log after startup: a full pipe would block the registry.
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                let mut log = thread_log.lock().unwrap_or_else(|e| e.into_inner());
                if log.len() == LOG_TAIL {
                    log.remove(0);
                }
                log.push(line);
            }
        });
        let mut registry = Registry {
            child,
            port,
            dir,
            storage,
            log,
            credentials: self.credentials.clone(),
            read_only: self.read_only,
        };
        registry.wait_ready()?;
        Ok(registry)
    }
}

enum StartError {
    /// The registry exited because its port was taken: worth another port.
    PortTaken(String),
    Other(String),
}

/// A running `docker-registry serve` bound to 127.0.0.1, plain HTTP.
pub struct Registry {
    child: Child,
    port: u16,
    // Held for its drop: removes the config, the htpasswd file and the storage.
    dir: tempfile::TempDir,
    storage: PathBuf,
    log: Arc<Mutex<Vec<String>>>,
    credentials: Option<(String, String)>,
    read_only: bool,
}

impl Registry {
    /// Starts a registry without authentication that accepts pushes.
    pub fn start() -> Result<Registry, String> {
        Registry::builder().start()
    }

    /// A builder for a registry with authentication or in read-only mode.
    pub fn builder() -> RegistryBuilder {
        RegistryBuilder::default()
    }

    /// The registry's base URL, `http://127.0.0.1:PORT`.
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The registry's host as it appears in image references, `127.0.0.1:PORT`.
    pub fn host(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// The port the registry listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The user and password the registry requires, if it was started with
    /// [`RegistryBuilder::htpasswd`].
    pub fn credentials(&self) -> Option<(&str, &str)> {
        self.credentials
            .as_ref()
            .map(|(user, password)| (user.as_str(), password.as_str()))
    }

    /// Whether the registry refuses pushes ([`RegistryBuilder::read_only`]).
    pub fn is_read_only(&self) -> bool {
        self.read_only
    }

    /// The registry's storage root on disk (the filesystem driver's `rootdirectory`), for tests
    /// that check what was, or was not, written.
    pub fn storage_dir(&self) -> &Path {
        &self.storage
    }

    /// The working directory of this registry (config, htpasswd, storage); removed on drop.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// A [`Skopeo`] that talks to this registry with its credentials, if any.
    pub fn skopeo(&self) -> Skopeo {
        match self.credentials() {
            Some((user, password)) => Skopeo::new().creds(user, password),
            None => Skopeo::new(),
        }
    }

    /// The last lines the registry logged (warnings and errors), for assertion messages.
    pub fn log_tail(&self) -> String {
        self.log
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .join("\n")
    }

    /// The HTTP status of `GET PATH` without credentials, e.g. `/v2/<repo>/manifests/<tag>`
    /// (404 when absent; 401 on a registry with authentication).
    pub fn get_status(&self, path: &str) -> Result<u16, String> {
        http_status(self.port, "GET", path)
    }

    fn wait_ready(&mut self) -> Result<(), StartError> {
        // With authentication the registry challenges anonymous requests: that answer proves
        // it is up and that authentication is on.
        let ready = if self.credentials.is_some() { 401 } else { 200 };
        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                // The log reader may still be collecting the last lines.
                std::thread::sleep(Duration::from_millis(100));
                let log = self.log_tail();
                let message =
                    format!("docker-registry exited ({status}) during startup; its log:\n{log}");
                return Err(if log.contains("address already in use") {
                    StartError::PortTaken(message)
                } else {
                    StartError::Other(message)
                });
            }
            match http_status(self.port, "GET", "/v2/") {
                Ok(status) if status == ready => return Ok(()),
                Ok(_) | Err(_) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(50))
                }
                Ok(status) => {
                    return Err(StartError::Other(format!(
                        "docker-registry answers GET /v2/ with HTTP {status}, expected {ready}; \
                         its log:\n{}",
                        self.log_tail()
                    )))
                }
                Err(e) => {
                    return Err(StartError::Other(format!(
                        "docker-registry does not answer within {START_TIMEOUT:?}: {e}; its \
                         log:\n{}",
                        self.log_tail()
                    )))
                }
            }
        }
    }
}

impl Drop for Registry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The registry's configuration file (distribution's format, version 0.1).
fn config_yaml(storage: &Path, port: u16, htpasswd: Option<&Path>, read_only: bool) -> String {
    let mut yaml = format!(
        "version: 0.1\n\
         log:\n  level: warn\n  accesslog:\n    disabled: true\n\
         storage:\n  filesystem:\n    rootdirectory: {storage}\n  delete:\n    enabled: true\n  \
         maintenance:\n    uploadpurging:\n      enabled: false\n    readonly:\n      \
         enabled: {read_only}\n\
         http:\n  addr: 127.0.0.1:{port}\n",
        storage = yaml_string(&storage.display().to_string()),
    );
    if let Some(path) = htpasswd {
        yaml.push_str(&format!(
            "auth:\n  htpasswd:\n    realm: {AUTH_REALM}\n    path: {}\n",
            yaml_string(&path.display().to_string())
        ));
    }
    yaml
}

/// A double-quoted YAML scalar (temporary paths are plain, but quoting keeps any path valid).
fn yaml_string(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

/// A port that was free a moment ago: bind port 0 on loopback and release it.
fn free_port() -> Result<u16, String> {
    let listener = TcpListener::bind("127.0.0.1:0")
        .map_err(|e| format!("cannot bind a loopback port: {e}"))?;
    listener
        .local_addr()
        .map(|addr| addr.port())
        .map_err(|e| format!("cannot read the bound port: {e}"))
}

/// The full path of an executable on PATH.
pub(crate) fn which(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file())
}

/// A minimal HTTP/1.0 request on loopback; returns the status code.
fn http_status(port: u16, method: &str, path: &str) -> Result<u16, String> {
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(2))
        .map_err(|e| format!("connect to {addr}: {e}"))?;
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .map_err(|e| e.to_string())?;
    write!(
        stream,
        "{method} {path} HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\nContent-Length: 0\r\n\r\n"
    )
    .map_err(|e| format!("write to {addr}: {e}"))?;
    let mut response = Vec::new();
    stream
        .read_to_end(&mut response)
        .map_err(|e| format!("read from {addr}: {e}"))?;
    String::from_utf8_lossy(&response)
        .split_whitespace()
        .nth(1)
        .and_then(|code| code.parse().ok())
        .ok_or_else(|| format!("malformed HTTP response from {addr}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_names_storage_port_and_modes() {
        let yaml = config_yaml(Path::new("/tmp/s"), 5000, Some(Path::new("/tmp/h")), true);
        assert!(yaml.contains("rootdirectory: \"/tmp/s\""), "{yaml}");
        assert!(yaml.contains("addr: 127.0.0.1:5000"), "{yaml}");
        assert!(yaml.contains("path: \"/tmp/h\""), "{yaml}");
        assert!(yaml.contains("readonly:\n      enabled: true"), "{yaml}");
        let plain = config_yaml(Path::new("/tmp/s"), 5000, None, false);
        assert!(!plain.contains("auth:"), "{plain}");
        assert!(plain.contains("readonly:\n      enabled: false"), "{plain}");
    }

    #[test]
    fn starts_answers_and_stops() {
        let registry = Registry::start().expect("registry starts");
        assert_eq!(registry.endpoint(), format!("http://{}", registry.host()));
        assert_eq!(registry.get_status("/v2/"), Ok(200));
        assert_eq!(registry.get_status("/v2/missing/manifests/latest"), Ok(404));
        let port = registry.port();
        let dir = registry.dir().to_path_buf();
        drop(registry);
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        assert!(
            TcpStream::connect_timeout(&addr, Duration::from_millis(500)).is_err(),
            "port {port} still open after drop"
        );
        assert!(!dir.exists(), "{} left after drop", dir.display());
    }

    #[test]
    fn authentication_challenges_anonymous_requests() {
        let registry = Registry::builder()
            .htpasswd("pusher", "secret")
            .start()
            .expect("registry with htpasswd starts");
        assert_eq!(registry.get_status("/v2/"), Ok(401));
        assert_eq!(registry.credentials(), Some(("pusher", "secret")));
    }
}
