//! Starts a local OCI registry with the test base image in it, prints
//! `ENDPOINT BASE_REFERENCE` on one line, and keeps the registry until stdin closes: for scripts
//! (the deploy benchmark) that need what the tests get from `rcdk_testkit::registry`.
//!
//! ```sh
//! coproc REG { cargo run -q -p rcdk-testkit --example local_registry; }
//! read -r endpoint base <&"${REG[0]}"
//! ```

use std::io::Read;

fn main() -> Result<(), String> {
    let registry = rcdk_testkit::registry::Registry::start()?;
    let base = rcdk_testkit::oci_fixture::push_base_image(&registry)?;
    println!("{} {base}", registry.endpoint());
    // Until the script closes our stdin (or exits), the registry serves.
    let mut rest = Vec::new();
    let _ = std::io::stdin().read_to_end(&mut rest);
    Ok(())
}
