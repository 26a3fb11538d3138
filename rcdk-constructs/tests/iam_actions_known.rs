//! Every IAM action that the hand-written constructs name as a string literal (`"sqs:SendMessage"`
//! in `actions(&[..])` and the like) is in the IAM action list that `action!` checks against, so
//! the crate's own grants cannot drift from what IAM knows either.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The list rcdk-codegen writes for rcdk-macros: `prefix Action1 Action2 ...` per line.
const LIST: &str = include_str!("../../rcdk-macros/src/generated/iam_actions.txt");

/// Lower-case prefix -> lower-case actions.
fn listed() -> BTreeMap<&'static str, BTreeSet<String>> {
    LIST.lines()
        .filter(|l| !l.is_empty() && !l.starts_with("//"))
        .map(|line| {
            let mut words = line.split(' ');
            let prefix = words.next().unwrap_or_default();
            (prefix, words.map(str::to_ascii_lowercase).collect())
        })
        .collect()
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().map(Result::unwrap) {
        let path = entry.path();
        if path.is_dir() {
            // Generated resources: their strings are CloudFormation names, not actions.
            if path.file_name().is_some_and(|n| n != "cfn") {
                rust_files(&path, out);
            }
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Condition keys of services (shaped like actions) that hand-written constructs use in policy
/// conditions: the KMS key of log groups limits grants to AWS services with it, replication
/// uses keys only through S3, and the bootstrap's roles are passed only to CloudFormation.
const SERVICE_CONDITION_KEYS: [&str; 3] = [
    "kms:GrantIsForAWSResource",
    "kms:ViaService",
    "iam:PassedToService",
];

/// String literals shaped like `prefix:Name` (one colon, prefix a lower-case letter then
/// lower-case letters, digits and `-`, name letters, digits, `-` and `*`), with their file and
/// line. `tag:KEY` is an EC2 filter name, not an action.
fn action_literals(file: &Path) -> Vec<(String, usize)> {
    let text = std::fs::read_to_string(file).unwrap();
    let mut found = Vec::new();
    for (n, line) in text.lines().enumerate() {
        // Comments are skipped: doc examples use `action!` and are compiled, and a
        // `compile_fail` one misspells an action on purpose.
        if line.trim_start().starts_with("//") {
            continue;
        }
        // Odd-numbered pieces between quotes are literals; good enough for these sources,
        // which have no escaped quotes around action names.
        for piece in line.split('"').skip(1).step_by(2) {
            let Some((prefix, name)) = piece.split_once(':') else {
                continue;
            };
            let prefix_ok = prefix.starts_with(|c: char| c.is_ascii_lowercase())
                && prefix != "tag"
                && prefix
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
            let name_ok = !name.is_empty()
                && name
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'*');
            // `aws:SourceArn` and friends are global condition keys, not actions; so are the
            // service condition keys the constructs name.
            if prefix_ok && name_ok && prefix != "aws" && !SERVICE_CONDITION_KEYS.contains(&piece) {
                found.push((piece.to_string(), n + 1));
            }
        }
    }
    found
}

#[test]
fn hand_written_constructs_name_only_listed_actions() {
    let listed = listed();
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    let mut checked = 0;
    let mut unknown = Vec::new();
    for file in &files {
        for (action, line) in action_literals(file) {
            checked += 1;
            let (prefix, name) = action.split_once(':').unwrap_or_default();
            let known = match listed.get(prefix) {
                // A wildcard is checked for its service only; `Action::wildcard_explicitly`
                // is the reviewed way to write one.
                Some(_) if name.contains('*') => true,
                Some(names) => names.contains(&name.to_ascii_lowercase()),
                None => false,
            };
            if !known {
                unknown.push(format!("{}:{line}: {action}", file.display()));
            }
        }
    }
    assert!(
        checked >= 20,
        "found only {checked} action literals under {}; did the scan break?",
        src.display()
    );
    assert!(
        unknown.is_empty(),
        "actions not in the IAM action list of the pinned cfn-lint:\n{}",
        unknown.join("\n")
    );
}

#[test]
fn the_scan_recognizes_actions_and_skips_other_strings() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("x.rs");
    std::fs::write(
        &file,
        r#"actions(&["sqs:SendMessage", "s3:*"]);
let arn = "arn:aws:s3:::bucket"; let key = "aws:SourceArn"; let t = "AWS::SQS::Queue";
/// action!("sqs:RecieveMessage")"#,
    )
    .unwrap();
    let found: Vec<String> = action_literals(&file).into_iter().map(|(a, _)| a).collect();
    assert_eq!(found, ["sqs:SendMessage", "s3:*"]);
}
