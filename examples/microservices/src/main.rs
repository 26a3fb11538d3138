//! `cargo run -p microservices -- synth` writes the templates of seed 000 (see the library's
//! documentation in `src/lib.rs`) to `cdk.out/` and prints the fixed monthly costs;
//! `deploy`, `diff` and `destroy` work on the same app.

use rcdk::prelude::*;

fn main() -> std::process::ExitCode {
    // The seed's two services: user-service on /users/*, order-service on /orders/*.
    microservices::build_app(2).run()
}
