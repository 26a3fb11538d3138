//! Logical ids derived from construct paths.
//!
//! A resource's logical id is its identity in CloudFormation: when it changes, CloudFormation
//! creates a new resource and deletes the old one. Ids are therefore a pure function of the
//! construct path, stable across runs, machines, Rust versions and the order constructs are
//! created in (node ids and memory addresses play no part).
//!
//! Algorithm, for an element at path `Stack/C1/C2/.../Cn`:
//! 1. Take the components below the stack: `[C1, ..., Cn]`. The stack id is not part of it, so
//!    a construct keeps its id when the stack is renamed or its construct moved to another stack.
//! 2. Readable part: walk the components, skipping one named `Resource` or `Default` (the main
//!    resource of a higher-level construct, so its id reads as the construct's) and one equal to
//!    the component before it (`Queue/Queue`); keep only the ASCII letters and digits of the
//!    others and concatenate them. If nothing is left, use `Resource`.
//! 3. Suffix: SHA-256 of the components joined with `/` (ids never contain `/`, so the join is
//!    unambiguous); the first 4 bytes as 8 upper-case hex digits.
//! 4. Logical id = readable part (cut to 247 characters) + suffix: at most 255 characters,
//!    ASCII letters and digits only, as CloudFormation requires.
//!
//! Examples (pinned by tests): `Vpc` -> `Vpc1815C393`; `Network/Vpc/Resource` ->
//! `NetworkVpc7A5846DC`; `a-b` -> `abD44362D6`.
//!
//! The suffix is computed from the full path, so two paths that read the same (`a-b` and `ab`,
//! or `A/B` and `AB`) still get different ids; a collision needs two paths whose 32-bit hashes
//! are equal. Synthesis checks every template for duplicate ids anyway and reports both paths.
//!
//! Exceptions:
//! - a parameter placed directly in its stack is named by its id alone (`Env`), because users
//!   type parameter names on the command line;
//! - `override_logical_id` (resources) and `.logical_id(...)` (parameters, conditions, mappings,
//!   outputs) force an id, for example to adopt a resource that was created under another name;
//!   a forced id must still be valid, and unique in its template;
//! - ids made for cross-stack references are `Export` / `SsmExport` / `SsmImport` + the
//!   referenced id (+ attribute), hashed with [`bounded`] when that would exceed 255 characters.

use sha2::{Digest, Sha256};

/// Longest logical id CloudFormation accepts.
pub const MAX_LOGICAL_ID: usize = 255;
const HASH_LEN: usize = 8;

/// The readable part of a path (step 2 above), also used to name children after a peer.
pub fn readable(components: &[&str]) -> String {
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
    readable
}

/// The logical id of the element at `components` (the path below its stack).
pub fn logical_id(components: &[&str]) -> String {
    let mut readable = readable(components);
    if readable.is_empty() {
        readable.push_str("Resource");
    }
    readable.truncate(MAX_LOGICAL_ID - HASH_LEN);
    // The same digest as hashing `components.join("/")`, without building that string.
    let mut hasher = Sha256::new();
    for (i, c) in components.iter().enumerate() {
        if i > 0 {
            hasher.update(b"/");
        }
        hasher.update(c.as_bytes());
    }
    push_hex(&mut readable, &hasher.finalize()[..HASH_LEN / 2]);
    readable
}

/// Appends `bytes` as upper-case hex digits.
fn push_hex(out: &mut String, bytes: &[u8]) {
    const DIGITS: &[u8; 16] = b"0123456789ABCDEF";
    out.reserve(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
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
    let mut cut = id;
    cut.truncate(MAX_LOGICAL_ID - HASH_LEN);
    push_hex(&mut cut, &digest[..HASH_LEN / 2]);
    cut
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
    fn pinned_values_are_stable() {
        // Literal values: a change of algorithm would replace every deployed resource, so it
        // must show up here (the suffix is SHA-256 of the path joined with '/').
        assert_eq!(logical_id(&["Vpc"]), "Vpc1815C393");
        assert_eq!(
            logical_id(&["Network", "Vpc", "Resource"]),
            "NetworkVpc7A5846DC"
        );
        assert_eq!(
            logical_id(&["Network", "PublicSubnet1", "Default"]),
            "NetworkPublicSubnet1B27AAEC4"
        );
        assert_eq!(logical_id(&["a-b"]), "abD44362D6");
    }

    #[test]
    fn long_paths_are_cut() {
        let long = "X".repeat(400);
        let id = logical_id(&[&long]);
        assert_eq!(id.len(), MAX_LOGICAL_ID);
        assert!(is_valid(&id));
    }
}
