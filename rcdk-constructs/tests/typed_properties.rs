//! The hand-written constructs set resource properties only through the generated typed setters:
//! a property name in a string is checked by nothing until cfn-lint runs, a typed setter by the
//! compiler. Escape hatches (`ResourceCore::set`, `add_override`) stay for users, not for us.

use std::path::{Path, PathBuf};

/// Whitespace-free spellings of the untyped ways to write or read a property.
const FORBIDDEN: &[(&str, &str)] = &[
    (
        ".set(\"",
        "ResourceCore::set / Props::set with a property name",
    ),
    (".props.", "direct access to a resource's property map"),
    (".props()", "direct access to a resource's property map"),
    ("add_override(", "an override path"),
    ("add_deletion_override(", "a deletion override path"),
];

fn hand_written_sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read src") {
        let path = entry.expect("dir entry").path();
        if path.is_dir() {
            // The generated resources are the typed layer itself; an included template's
            // properties and attributes arrive by name, from the user's own template.
            if path
                .file_name()
                .is_some_and(|n| n == "cfn" || n == "include")
            {
                continue;
            }
            hand_written_sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// `(file, line, what)` for every forbidden spelling, ignoring comments and white space (a call
/// that rustfmt splits over lines is still found).
fn findings(files: &[PathBuf]) -> Vec<(String, usize, &'static str)> {
    let mut found = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(file).expect("read source");
        let mut squeezed = String::new();
        let mut lines = Vec::new();
        for (i, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            for c in code.chars().filter(|c| !c.is_whitespace()) {
                squeezed.push(c);
                lines.extend(std::iter::repeat_n(i + 1, c.len_utf8()));
            }
        }
        for (pattern, what) in FORBIDDEN {
            for (at, _) in squeezed.match_indices(pattern) {
                found.push((file.display().to_string(), lines[at], *what));
            }
        }
    }
    found
}

#[test]
fn hand_written_constructs_use_typed_setters_only() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    hand_written_sources(&src, &mut files);
    assert!(
        files.len() > 30,
        "expected the hand-written modules under {}, found {}",
        src.display(),
        files.len()
    );
    let found = findings(&files);
    assert!(
        found.is_empty(),
        "properties set by name in hand-written constructs (use the generated typed setters, \
         e.g. `resource.set_storage_encrypted(true)`):\n{}",
        found
            .iter()
            .map(|(f, l, w)| format!("  {f}:{l}: {w}"))
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[test]
fn the_check_finds_a_property_set_by_name() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("bad.rs");
    std::fs::write(
        &file,
        "fn f(r: &mut R) {\n    // r.core_mut().set(\"Commented\", 1) is fine\n    r.core_mut()\n        .set(\n            \"StorageEncrypted\",\n            true,\n        );\n}\n",
    )
    .expect("write");
    let found = findings(&[file]);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].1, 4);
}
