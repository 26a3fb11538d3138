//! `cargo run -p app-baseline -- synth` writes the template of seed 004's baseline (see the
//! library's documentation in `src/lib.rs`) to `cdk.out/` and prints the fixed monthly costs;
//! `deploy`, `diff` and `destroy` work on the same app.

use rcdk::prelude::*;

fn main() -> std::process::ExitCode {
    app_baseline::build_app().run()
}
