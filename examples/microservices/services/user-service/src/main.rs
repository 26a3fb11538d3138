//! `user-service`: listens on `0.0.0.0:$PORT` (default 3000) until SIGTERM.
//! `user-service --health-check` probes `/health` on localhost and exits 0 when it answers 200.

use std::net::SocketAddr;
use std::process::ExitCode;

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let port = match user_service::port_from_env() {
        Ok(port) => port,
        Err(e) => {
            eprintln!("user-service: {e}");
            return ExitCode::FAILURE;
        }
    };
    if std::env::args().nth(1).as_deref() == Some("--health-check") {
        let healthy = user_service::health_check(SocketAddr::from(([127, 0, 0, 1], port)));
        return if healthy {
            ExitCode::SUCCESS
        } else {
            ExitCode::FAILURE
        };
    }
    let listener = match tokio::net::TcpListener::bind(("0.0.0.0", port)).await {
        Ok(listener) => listener,
        Err(e) => {
            eprintln!("user-service: cannot listen on port {port}: {e}");
            return ExitCode::FAILURE;
        }
    };
    // The bound address, not the requested one: with PORT=0 this tells the caller the port.
    match listener.local_addr() {
        Ok(addr) => println!("user-service listening on {addr}"),
        Err(e) => eprintln!("user-service: cannot read the bound address: {e}"),
    }
    match user_service::serve(listener, user_service::shutdown_signal()).await {
        Ok(()) => {
            println!("user-service stopped");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("user-service: {e}");
            ExitCode::FAILURE
        }
    }
}
