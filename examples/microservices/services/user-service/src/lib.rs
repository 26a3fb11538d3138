//! The user-service of the microservices example: `GET /health` for the load balancer and the
//! container health check, `GET /users/{id}` for the platform's users. The data is made up from
//! the id: the example is about building and deploying the service, not about its storage.

use std::future::Future;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use axum::extract::Path;
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;

/// The port when `PORT` is not set: the one the example's containers and load balancer use.
pub const DEFAULT_PORT: u16 = 3000;

/// A user as `GET /users/{id}` returns it.
#[derive(Debug, Serialize)]
pub struct User {
    /// The id from the path.
    pub id: u64,
    /// A display name.
    pub name: String,
    /// A contact address.
    pub email: String,
}

/// The service's routes.
pub fn app() -> Router {
    Router::new()
        .route("/health", get(health))
        .route("/users/{id}", get(user))
}

async fn health() -> &'static str {
    "ok"
}

async fn user(Path(id): Path<u64>) -> Json<User> {
    Json(User {
        id,
        name: format!("User {id}"),
        email: format!("user{id}@example.com"),
    })
}

/// The port from `PORT`, else [`DEFAULT_PORT`].
pub fn port_from_env() -> Result<u16, String> {
    match std::env::var("PORT") {
        Ok(value) => value
            .parse()
            .map_err(|_| format!("PORT={value:?} is not a port number")),
        Err(_) => Ok(DEFAULT_PORT),
    }
}

/// Serves [`app`] on `listener` until `shutdown` completes, then lets requests in flight finish.
pub async fn serve(
    listener: tokio::net::TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, app())
        .with_graceful_shutdown(shutdown)
        .await
}

/// Completes on SIGTERM (how ECS stops a task) or Ctrl-C.
pub async fn shutdown_signal() {
    use tokio::signal::unix::{signal, SignalKind};
    match signal(SignalKind::terminate()) {
        Ok(mut term) => {
            tokio::select! {
                _ = term.recv() => {}
                _ = tokio::signal::ctrl_c() => {}
            }
        }
        // Without a SIGTERM handler, Ctrl-C still stops the service.
        Err(_) => {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}

/// `GET /health` on the service at `addr`: true on HTTP 200. The images have no shell or
/// `wget`, so the container health check runs the binary itself with `--health-check`.
pub fn health_check(addr: SocketAddr) -> bool {
    let probe = || -> std::io::Result<bool> {
        let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(2))?;
        stream.set_read_timeout(Some(Duration::from_secs(2)))?;
        write!(
            stream,
            "GET /health HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
        )?;
        let mut response = Vec::new();
        stream.read_to_end(&mut response)?;
        Ok(response.starts_with(b"HTTP/1.1 200 "))
    };
    probe().unwrap_or(false)
}
