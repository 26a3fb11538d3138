//! YAML templates read back by a YAML 1.1 reader (PyYAML, which cfn-lint builds on; CloudFormation
//! reads YAML 1.1 too) give exactly the JSON template: no string turns into a boolean, a number,
//! a date or null, and multi-line text keeps every character.

use std::io::Write;
use std::process::{Command, Stdio};

use rcdk_core::{App, Format, RawResource, Stack, SynthOptions, Value};

/// Strings a YAML 1.1 reader could misread, plus deterministic pseudo-random ones.
fn tricky() -> Vec<String> {
    let mut v: Vec<String> = [
        "y",
        "Y",
        "n",
        "N",
        "yes",
        "Yes",
        "YES",
        "no",
        "No",
        "NO",
        "on",
        "On",
        "ON",
        "off",
        "Off",
        "true",
        "True",
        "false",
        "FALSE",
        "null",
        "Null",
        "~",
        "",
        " ",
        "=",
        "<<",
        "0",
        "-0",
        "+1",
        "0755",
        "0o17",
        "0x1F",
        "0b101",
        "1_000",
        "1e3",
        "1.5e-3",
        ".5",
        "5.",
        ".inf",
        "-.INF",
        ".NaN",
        "12:30",
        "190:20:30",
        "1:2.5",
        "2010-09-09",
        "2001-12-14t21:59:43.10-05:00",
        "123456789012",
        "- item",
        "? key",
        ": value",
        "key: value",
        "# comment",
        "a #b",
        "a# b",
        "&anchor",
        "*alias",
        "!tag",
        "!!str",
        "|",
        ">",
        "'quoted'",
        "\"double\"",
        "%directive",
        "@at",
        "`tick`",
        "{a: 1}",
        "[1, 2]",
        ",",
        "---",
        "...",
        "a\nb",
        "\nlead",
        "trail\n",
        "trail\n\n",
        "  indented\nfirst",
        "tab\there",
        "cr\r\nlf",
        "unicode é ü 漢字 🚀",
        "\u{85}nel",
        "line\u{2028}sep",
        "bell\u{7}",
        "${AWS::Region}",
        "arn:aws:s3:::b/*",
        "#!/bin/bash\necho \"hi\" # done\n  indented line\n\nlast\n",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let alphabet: Vec<char> = " -:#?&*!|>'\"%@`,[]{}~=<.+_0123456789eEyYnNoxb\n\tabc\u{e9}"
        .chars()
        .collect();
    let mut seed: u64 = 0x2545_F491_4F6C_DD1D;
    for _ in 0..400 {
        let mut s = String::new();
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        for k in 0..(seed % 9) {
            let i = (seed >> (k * 6)) as usize % alphabet.len();
            s.push(alphabet[i]);
        }
        v.push(s);
    }
    v
}

#[test]
fn pyyaml_reads_the_yaml_template_as_the_json_template() {
    let strings = tricky();
    let keys = Value::Map(
        strings
            .iter()
            .filter(|s| !s.is_empty())
            .map(|s| (s.clone(), Value::str("k")))
            .collect(),
    );
    let values = Value::List(strings.iter().map(|s| Value::str(s.clone())).collect());
    let mut app = App::new().with(
        Stack::new("S").with(
            "Q",
            RawResource::new("AWS::SQS::Queue")
                .prop("Values", values)
                .prop("Keys", keys)
                .prop(
                    "Numbers",
                    serde_json::json!([0, -1, 1.5, 1e20, 123456789012_i64]),
                ),
        ),
    );
    let assembly = app
        .synth_with(&SynthOptions {
            format: Format::Yaml,
            strict: false,
        })
        .unwrap();
    let stack = &assembly.stacks[0];
    let python = rcdk_testkit::pytools::bin("python").unwrap_or_else(|e| panic!("{e}"));
    // BaseLoader would read everything as strings; SafeLoader applies the YAML 1.1 rules.
    let script = "import json, sys, yaml\n\
                  print(json.dumps(yaml.safe_load(sys.stdin.read())))";
    let mut child = Command::new(python)
        .args(["-c", script])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stack.text.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "PyYAML could not read the template: {}\n{}",
        String::from_utf8_lossy(&out.stderr),
        stack.text
    );
    let read: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let expected = stack.template_json();
    let values = |t: &serde_json::Value| {
        let q = t["Resources"].as_object().unwrap().values().next().unwrap();
        q["Properties"]["Values"].as_array().unwrap().clone()
    };
    let (r, e) = (values(&read), values(&expected));
    assert_eq!(r.len(), e.len());
    for (i, (a, b)) in r.iter().zip(&e).enumerate() {
        assert_eq!(a, b, "string {i} {b} was read as {a}");
    }
    assert_eq!(read, expected);
}
