//! `RCDK_DEFAULT_BASE_IMAGE` replaces the default base of cargo-package images, and with it the
//! hash and the publish command. Alone in its test binary: it sets a process environment variable.

use rcdk_core::image::{CargoImage, DEFAULT_BASE_IMAGE, DEFAULT_BASE_IMAGE_ENV};

fn package() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("Cargo.toml"),
        "[package]\nname = \"tiny-svc\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[workspace]\n",
    )
    .unwrap();
    std::fs::create_dir(dir.path().join("src")).unwrap();
    std::fs::write(dir.path().join("src/main.rs"), "fn main() {}\n").unwrap();
    dir
}

fn base_of(image: &CargoImage) -> String {
    let command = image.command("0");
    let at = command.iter().position(|a| a == "--base").unwrap();
    command[at + 1].clone()
}

#[test]
fn the_environment_variable_names_the_default_base() {
    let dir = package();
    std::env::remove_var(DEFAULT_BASE_IMAGE_ENV);
    let default = CargoImage::find_in(dir.path(), "tiny-svc").unwrap();
    assert_eq!(base_of(&default), DEFAULT_BASE_IMAGE);

    let mirror = "127.0.0.1:5000/mirror/cc@sha256:".to_string() + &"ab".repeat(32);
    std::env::set_var(DEFAULT_BASE_IMAGE_ENV, &mirror);
    let mirrored = CargoImage::find_in(dir.path(), "tiny-svc").unwrap();
    assert_eq!(base_of(&mirrored), mirror);
    assert_ne!(mirrored.hash().unwrap(), default.hash().unwrap());
    assert!(mirrored.problems().is_empty(), "{:?}", mirrored.problems());

    // An explicit base wins over the variable.
    let explicit = CargoImage::find_in(dir.path(), "tiny-svc")
        .unwrap()
        .base(DEFAULT_BASE_IMAGE);
    assert_eq!(explicit.hash().unwrap(), default.hash().unwrap());

    // Empty means unset.
    std::env::set_var(DEFAULT_BASE_IMAGE_ENV, "");
    let unset = CargoImage::find_in(dir.path(), "tiny-svc").unwrap();
    assert_eq!(base_of(&unset), DEFAULT_BASE_IMAGE);
    std::env::remove_var(DEFAULT_BASE_IMAGE_ENV);
}
