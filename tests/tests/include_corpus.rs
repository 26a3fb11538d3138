//! Including existing templates: every template of the corpus (`tests/templates/corpus`) and seed
//! 001's three templates, included in a stack and synthesized again in JSON and in YAML, give
//! the same template (compared in canonical form: same sections, ids, types and values), with
//! every resource of a generated type held as that type. The bad inputs of
//! `tests/templates/bad` fail with an error naming the place.

use std::path::{Path, PathBuf};

use rcdk_constructs::include::{CfnInclude, IncludeError};
use rcdk_core::synth::{Format, SynthOptions};
use rcdk_core::template::{canonical, TemplateDoc};
use rcdk_core::{App, RawResource, Stack};

fn templates(folder: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("templates")
        .join(folder);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| {
            matches!(
                p.extension().and_then(|e| e.to_str()),
                Some("json" | "yaml" | "yml")
            )
        })
        .collect();
    files.sort();
    files
}

/// The synthesized template of `included` alone in a stack, in `format`.
fn synthesize(included: CfnInclude, format: Format) -> String {
    let mut app = App::new().with(included.into_stack(Stack::new("Included")));
    let assembly = app
        .synth_with(&SynthOptions {
            format,
            strict: false,
        })
        .unwrap_or_else(|e| panic!("synthesis failed: {e}"));
    assembly.stacks[0].text.clone()
}

/// Round-trips `path`; returns (resources, typed resources).
fn round_trip(path: &Path) -> (usize, usize) {
    let text = std::fs::read_to_string(path).unwrap();
    let original = TemplateDoc::parse(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let expected = canonical(&original);
    let mut typed = 0;
    for format in [Format::Json, Format::Yaml] {
        let included = CfnInclude::from_file(path).unwrap();
        typed = original
            .resources
            .keys()
            .filter(|id| included.resource::<RawResource>(id).is_err())
            .count();
        let out = synthesize(included, format);
        let again = TemplateDoc::parse(&out).unwrap_or_else(|e| {
            panic!(
                "{} ({format:?}): the synthesized template does not read back: {e}\n{out}",
                path.display()
            )
        });
        let got = canonical(&again);
        if got != expected {
            panic!(
                "{} ({format:?}) changed on the way through:\n--- expected\n{}\n--- got\n{}",
                path.display(),
                serde_json::to_string_pretty(&expected).unwrap(),
                serde_json::to_string_pretty(&got).unwrap()
            );
        }
    }
    (original.resources.len(), typed)
}

#[test]
fn corpus_and_seed_templates_round_trip_through_include() {
    let mut files = templates("corpus");
    files.extend(templates("seed-001"));
    assert!(files.len() >= 43, "corpus too small: {}", files.len());
    let (mut resources, mut typed) = (0, 0);
    for f in &files {
        let (r, t) = round_trip(f);
        resources += r;
        typed += t;
    }
    eprintln!(
        "{} templates, {resources} resources ({typed} typed, {} kept untyped) round-tripped",
        files.len(),
        resources - typed
    );
    // Only types without a generated struct stay untyped: custom resources, SAM's and
    // third-party registry types.
    assert!(typed * 10 >= resources * 9, "{typed} of {resources} typed");
}

#[test]
fn included_resources_are_typed_and_keep_their_ids() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("templates/corpus/s3-static-site-cloudfront.yaml");
    let doc = TemplateDoc::parse(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let mut included = CfnInclude::from_file(&path).unwrap();
    let (id, _) = doc
        .resources
        .iter()
        .find(|(_, r)| r.type_name == "AWS::S3::Bucket")
        .expect("the template has a bucket");
    let bucket = included
        .resource_mut::<rcdk_constructs::cfn::s3::Bucket>(id)
        .unwrap();
    bucket.set_object_lock_enabled(true);
    let arn = bucket.attr_arn();
    let wrong = included
        .resource::<rcdk_constructs::cfn::sqs::Queue>(id)
        .unwrap_err();
    assert!(matches!(wrong, IncludeError::WrongType { .. }), "{wrong}");
    assert!(wrong.to_string().contains("AWS::S3::Bucket"), "{wrong}");
    let missing = included
        .resource::<rcdk_constructs::cfn::s3::Bucket>("Nope")
        .unwrap_err();
    assert!(
        missing.to_string().contains("no resource 'Nope'"),
        "{missing}"
    );
    let mut stack = included.into_stack(Stack::new("Included"));
    stack.add("BucketArn", rcdk_core::Output::new(arn));
    let mut app = App::new().with(stack);
    let assembly = app.synth().unwrap();
    let t = assembly.stacks[0].template_json();
    assert_eq!(
        t["Resources"][id.as_str()]["Properties"]["ObjectLockEnabled"],
        true
    );
    let out = t["Outputs"]
        .as_object()
        .unwrap()
        .values()
        .find(|o| o["Value"]["Fn::GetAtt"][1] == "Arn")
        .expect("the new output");
    assert_eq!(
        out["Value"]["Fn::GetAtt"][0],
        id.as_str(),
        "typed reference to the kept id"
    );
}

#[test]
fn bad_templates_fail_naming_the_place() {
    let bad = Path::new(env!("CARGO_MANIFEST_DIR")).join("templates/bad");
    let cases = [
        ("not-a-template.yaml", "not a CloudFormation template"),
        ("not-yaml.yaml", "not valid YAML"),
        ("dangling-ref.yaml", "Ref to"),
        ("dangling-getatt.json", "Fn::GetAtt of"),
        ("duplicate-ids.json", "duplicate key"),
        ("duplicate-ids.yaml", "duplicate"),
        ("unknown-intrinsic.yaml", "unknown intrinsic function"),
        ("unknown-tag.yaml", "unknown tag"),
        ("resource-without-type.yaml", "needs a `Type`"),
        ("not-a-template-list.yaml", "not a CloudFormation template"),
        (
            "../unsupported/sam-language-extensions-list.yaml",
            "Fn::ForEach loops (AWS::LanguageExtensions) are not supported",
        ),
    ];
    for (file, expected) in cases {
        let err = CfnInclude::from_file(bad.join(file))
            .unwrap_err()
            .to_string();
        assert!(err.contains(expected), "{file}: {err}");
        let name = Path::new(file).file_name().unwrap().to_str().unwrap();
        assert!(
            err.contains(name),
            "{file}: the error names the file: {err}"
        );
        eprintln!("{file}: {err}");
    }
}
