//! Logical ids derived from construct paths.
//!
//! Algorithm (stable across runs, machines and Rust versions):
//! 1. Take the path components below the stack (`["Network", "PublicSubnet1", "Resource"]`).
//! 2. Readable part: drop components named `Resource` or `Default` (a higher-level construct's
//!    main resource, so its id reads as the construct's), drop a component equal to the one before
//!    it, keep only ASCII letters and digits of each, and concatenate. Empty -> `Resource`.
//! 3. Suffix: the first 8 hex digits (upper case) of SHA-256 over the components joined with `/`.
//! 4. Logical id = readable part (cut to 247 characters) + suffix, at most 255 characters.
//!
//! The suffix is computed from the full path, so two paths that read the same (`a-b` and `ab`)
//! still differ; synthesis also checks each stack for duplicates and reports both paths.

use sha2::{Digest, Sha256};

/// Longest logical id CloudFormation accepts.
pub const MAX_LOGICAL_ID: usize = 255;
const HASH_LEN: usize = 8;

/// The logical id of the element at `components` (the path below its stack).
pub fn logical_id(components: &[&str]) -> String {
    let mut readable = String::new();
    let mut previous: Option<&str> = None;
    for c in components {
        if *c == "Resource" || *c == "Default" || previous == Some(*c) {
            previous = Some(c);
            continue;
        }
        previous = Some(c);
        readable.extend(c.chars().filter(char::is_ascii_alphanumeric));
    }
    if readable.is_empty() {
        readable.push_str("Resource");
    }
    readable.truncate(MAX_LOGICAL_ID - HASH_LEN);
    let digest = Sha256::digest(components.join("/").as_bytes());
    let hash: String = digest
        .iter()
        .take(HASH_LEN / 2)
        .map(|b| format!("{b:02X}"))
        .collect();
    readable + &hash
}

/// Whether `id` is a valid logical id (ASCII letters and digits, 1 to 255 characters).
pub fn is_valid(id: &str) -> bool {
    !id.is_empty() && id.len() <= MAX_LOGICAL_ID && id.chars().all(|c| c.is_ascii_alphanumeric())
}

/// Keeps the ASCII letters and digits of `s` (for ids built from other ids).
pub fn sanitize(s: &str) -> String {
    s.chars().filter(char::is_ascii_alphanumeric).collect()
}

/// `prefix` + `body`, cut so that the result fits with a hash of `body` when too long.
pub fn bounded(prefix: &str, body: &str) -> String {
    let id = format!("{prefix}{body}");
    if id.len() <= MAX_LOGICAL_ID {
        return id;
    }
    let digest = Sha256::digest(id.as_bytes());
    let hash: String = digest
        .iter()
        .take(HASH_LEN / 2)
        .map(|b| format!("{b:02X}"))
        .collect();
    let mut cut = id;
    cut.truncate(MAX_LOGICAL_ID - HASH_LEN);
    cut + &hash
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readable_with_hash() {
        let id = logical_id(&["Network", "Vpc", "Resource"]);
        assert!(id.starts_with("NetworkVpc"), "{id}");
        assert_eq!(id.len(), "NetworkVpc".len() + 8);
        assert!(is_valid(&id));
    }

    #[test]
    fn same_reading_different_paths_differ() {
        assert_ne!(logical_id(&["a-b"]), logical_id(&["ab"]));
        assert_ne!(logical_id(&["A", "B"]), logical_id(&["AB"]));
    }

    #[test]
    fn pinned_value_is_stable() {
        // Pinned: a change of algorithm would replace every deployed resource.
        assert_eq!(logical_id(&["Vpc"]), format!("Vpc{}", &hex_prefix("Vpc")));
    }

    fn hex_prefix(s: &str) -> String {
        Sha256::digest(s.as_bytes())
            .iter()
            .take(4)
            .map(|b| format!("{b:02X}"))
            .collect()
    }

    #[test]
    fn long_paths_are_cut() {
        let long = "X".repeat(400);
        let id = logical_id(&[&long]);
        assert_eq!(id.len(), MAX_LOGICAL_ID);
        assert!(is_valid(&id));
    }
}
