//! Checks against CloudFormation's quotas and naming rules, run before anything is written.

use crate::app::App;
use crate::error::SynthError;
use crate::synth::logical_id;
use crate::synth::template::Sections;
use crate::value::{Intrinsic, Target, Value};

/// Largest template body CloudFormation accepts inline (`TemplateBody`).
pub const INLINE_TEMPLATE_LIMIT: usize = 51_200;
/// Largest template CloudFormation accepts from S3 (`TemplateURL`).
pub const S3_TEMPLATE_LIMIT: usize = 1_000_000;

/// Quotas per template: (section, limit).
const QUOTAS: [(&str, usize); 4] = [
    ("Resources", 500),
    ("Parameters", 200),
    ("Outputs", 200),
    ("Mappings", 200),
];

/// Stack ids and names: unique, and valid CloudFormation stack names.
pub fn stack_names(app: &App) -> Vec<SynthError> {
    let mut errors = Vec::new();
    let mut seen: Vec<&str> = Vec::new();
    if app.stacks().is_empty() {
        errors.push(
            SynthError::new("App", "the app has no stacks").hint("add a Stack with App::add"),
        );
    }
    for (i, s) in app.stacks().iter().enumerate() {
        if seen.contains(&s.id()) {
            errors.push(
                SynthError::new(s.id(), format!("duplicate stack id '{}'", s.id()))
                    .hint("give each stack its own id"),
            );
        }
        seen.push(s.id());
        let name = s.name();
        if let Some(other) = app.stacks()[..i].iter().find(|o| o.name() == name) {
            if other.id() != s.id() {
                errors.push(
                    SynthError::new(
                        s.id(),
                        format!("stack '{}' also deploys as stack name '{name}'", other.id()),
                    )
                    .hint("give one of them another stack name"),
                );
            }
        }
        let valid = name.len() <= 128
            && name.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
        if !valid {
            errors.push(
                SynthError::new(
                    s.id(),
                    format!("'{name}' is not a valid CloudFormation stack name"),
                )
                .hint(
                    "start with a letter; use letters, digits and '-' only; at most 128 characters",
                ),
            );
        }
        if s.id().contains('/') || s.id().is_empty() {
            errors.push(
                SynthError::new(s.id(), "invalid stack id")
                    .hint("ids are non-empty and contain no '/'"),
            );
        }
        if let Err(e) = crate::bootstrap::check_qualifier(s.bootstrap_qualifier()) {
            errors.push(
                SynthError::new(s.id(), e).hint(
                    "fix the argument of Stack::qualifier (the qualifier given to bootstrap)",
                ),
            );
        }
        let env = s.environment();
        if let Some(account) = &env.account {
            if account.len() != 12 || !account.bytes().all(|b| b.is_ascii_digit()) {
                errors.push(
                    SynthError::new(
                        s.id(),
                        format!("account {account:?} is not a 12-digit AWS account id"),
                    )
                    .hint("fix the first argument of Stack::env"),
                );
            }
        }
        if let Some(region) = &env.region {
            let ok = !region.is_empty()
                && region
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
            if !ok {
                errors.push(
                    SynthError::new(
                        s.id(),
                        format!("region {region:?} is not an AWS region name (like eu-west-1)"),
                    )
                    .hint("fix the second argument of Stack::env"),
                );
            }
        }
    }
    errors
}

/// Quotas and logical-id format of one template.
pub fn sections(stack: &str, s: &Sections) -> Vec<SynthError> {
    let mut errors = Vec::new();
    for (name, limit) in QUOTAS {
        let count = match name {
            "Resources" => s.resources.len(),
            "Parameters" => s.parameters.len(),
            "Outputs" => s.outputs.len(),
            _ => s.mappings.len(),
        };
        if count > limit {
            errors.push(
                SynthError::new(
                    stack,
                    format!("the template has {count} {name}, CloudFormation allows {limit}"),
                )
                .hint("split the stack into several stacks"),
            );
        }
    }
    if s.resources.is_empty() {
        errors.push(
            SynthError::new(
                stack,
                "the stack has no resources (CloudFormation requires at least one)",
            )
            .hint("add a resource or remove the stack"),
        );
    }
    let ids = s
        .parameters
        .keys()
        .chain(s.mappings.keys())
        .chain(s.conditions.keys());
    for id in ids.chain(s.resources.keys()).chain(s.outputs.keys()) {
        if !logical_id::is_valid(id) {
            let path = s
                .paths
                .get(id)
                .cloned()
                .unwrap_or_else(|| stack.to_string());
            errors.push(
                SynthError::new(path, format!("'{id}' is not a valid logical id"))
                    .hint("logical ids use ASCII letters and digits only, at most 255 characters"),
            );
        }
    }
    errors
}

/// Template size: over 1 MB is refused.
pub fn size(stack: &str, bytes: usize) -> Option<SynthError> {
    (bytes > S3_TEMPLATE_LIMIT).then(|| {
        SynthError::new(
            stack,
            format!("the template is {bytes} bytes; CloudFormation accepts at most 1,000,000 bytes even from S3"),
        )
        .hint("split the stack into several stacks")
    })
}

/// Logical ids written by hand (`fns::ref_logical_id`, overrides) that name nothing in the
/// template: CloudFormation would reject the template only at deploy time.
pub fn dangling_names(stack: &str, s: &Sections) -> Vec<SynthError> {
    let mut errors = Vec::new();
    let bodies = s
        .conditions
        .iter()
        .chain(s.resources.iter())
        .chain(s.outputs.iter());
    for (id, body) in bodies {
        let mut missing: Vec<String> = Vec::new();
        names(body, &mut |section, name| {
            let known = match section {
                Section::Value => {
                    name.starts_with("AWS::")
                        || s.parameters.contains_key(name)
                        || s.resources.contains_key(name)
                }
                Section::Resource => s.resources.contains_key(name),
                Section::Condition => s.conditions.contains_key(name),
                Section::Mapping => s.mappings.contains_key(name),
            };
            if known {
                return;
            }
            let text = format!("'{name}' ({})", section.describe());
            if !missing.contains(&text) {
                missing.push(text);
            }
        });
        for m in missing {
            let path = s
                .paths
                .get(id)
                .cloned()
                .unwrap_or_else(|| stack.to_string());
            errors.push(
                SynthError::new(path, format!("references logical id {m}, which is not in this stack's template"))
                    .hint("check the spelling, or reference the construct itself (`ref_()`, `get_att()`) instead of its logical id"),
            );
        }
    }
    errors
}

/// What a hand-written name must be.
#[derive(Clone, Copy)]
enum Section {
    /// `Ref`: a parameter, a resource or a pseudo parameter.
    Value,
    /// `Fn::GetAtt`: a resource.
    Resource,
    /// `Fn::If` / `Condition`: a condition.
    Condition,
    /// `Fn::FindInMap`: a mapping.
    Mapping,
}

impl Section {
    fn describe(self) -> &'static str {
        match self {
            Section::Value => "a Ref needs a resource or parameter",
            Section::Resource => "Fn::GetAtt needs a resource",
            Section::Condition => "a condition",
            Section::Mapping => "a mapping",
        }
    }
}

/// Calls `f` with every name an intrinsic in `v` refers to.
fn names(v: &Value, f: &mut dyn FnMut(Section, &str)) {
    let name = |t: &Target, section: Section, f: &mut dyn FnMut(Section, &str)| {
        if let Target::Name(n) = t {
            f(section, n)
        }
    };
    let Value::Fn(i) = v else {
        match v {
            Value::List(items) => items.iter().for_each(|x| names(x, f)),
            Value::Map(m) => m.values().for_each(|x| names(x, f)),
            _ => {}
        }
        return;
    };
    match &**i {
        Intrinsic::Ref { target, .. } => name(target, Section::Value, f),
        Intrinsic::GetAtt { target, .. } => name(target, Section::Resource, f),
        Intrinsic::Condition(t) => name(t, Section::Condition, f),
        Intrinsic::If {
            condition,
            then,
            otherwise,
        } => {
            name(condition, Section::Condition, f);
            names(then, f);
            names(otherwise, f);
        }
        Intrinsic::FindInMap {
            mapping,
            top_key,
            second_key,
        } => {
            name(mapping, Section::Mapping, f);
            names(top_key, f);
            names(second_key, f);
        }
        Intrinsic::Sub { variables, .. } => variables.values().for_each(|x| names(x, f)),
        Intrinsic::Join { values: x, .. }
        | Intrinsic::Split { source: x, .. }
        | Intrinsic::GetAzs { region: x }
        | Intrinsic::ImportValue { name: x }
        | Intrinsic::Not(x)
        | Intrinsic::Base64(x)
        | Intrinsic::Other { argument: x, .. }
        | Intrinsic::CrossStack { value: x, .. } => names(x, f),
        Intrinsic::Select { index, list } => {
            names(index, f);
            names(list, f);
        }
        Intrinsic::Equals(a, b) => {
            names(a, f);
            names(b, f);
        }
        Intrinsic::And(items) | Intrinsic::Or(items) => items.iter().for_each(|x| names(x, f)),
        Intrinsic::Cidr {
            ip_block,
            count,
            cidr_bits,
        } => {
            names(ip_block, f);
            names(count, f);
            names(cidr_bits, f);
        }
        Intrinsic::InvalidLiteral { .. } => {}
    }
}

/// Literals of the wrong shape for their id kind (`"subnet-0abc1234"` where a `VpcId` goes),
/// reported at the construct's path with the property they are in.
pub fn invalid_literals(stack: &str, s: &Sections) -> Vec<SynthError> {
    let mut errors = Vec::new();
    let sections = [
        ("Parameters", &s.parameters),
        ("Conditions", &s.conditions),
        ("Resources", &s.resources),
        ("Outputs", &s.outputs),
    ];
    for (section, entries) in sections {
        for (id, body) in entries {
            let mut at = Vec::new();
            find_invalid(body, &mut at, false, &mut |at, literal, kind, expected| {
                let path = s
                    .paths
                    .get(id)
                    .cloned()
                    .unwrap_or_else(|| format!("{stack}/{section}/{id}"));
                errors.push(
                    SynthError::new(
                        &path,
                        format!("{at}: '{literal}' is not a {kind}: expected {expected}"),
                    )
                    .hint(format!(
                        "write the {kind} as AWS shows it, or pass a reference (`ref_()`, a parameter); to keep this value anyway, convert a plain string: `Val::<String>::from(..).cast::<{kind}>()`"
                    )),
                );
            });
        }
    }
    errors
}

/// One step from a template entry down to a value: a key of a map or an index of a list.
/// Borrowed, so that walking a template allocates nothing until a literal is invalid.
enum Step<'a> {
    Key(&'a str),
    Index(usize),
}

/// `Properties.SubnetIds.1`: the steps joined with dots.
fn dotted(at: &[Step<'_>]) -> String {
    let parts: Vec<String> = at
        .iter()
        .map(|s| match s {
            Step::Key(k) => k.to_string(),
            Step::Index(i) => i.to_string(),
        })
        .collect();
    parts.join(".")
}

/// Calls `f` with the dotted path (`Properties.VpcId`, `Properties.SubnetIds.1`) of every
/// invalid literal in `v`. Inside a function (`in_fn`), the path stops at the property that
/// holds the function: the function's arguments are not paths of the template.
fn find_invalid<'a>(
    v: &'a Value,
    at: &mut Vec<Step<'a>>,
    in_fn: bool,
    f: &mut dyn FnMut(&str, &str, &str, &str),
) {
    let mut child = |step: Step<'a>, item: &'a Value, f: &mut dyn FnMut(&str, &str, &str, &str)| {
        if in_fn {
            find_invalid(item, at, true, f);
        } else {
            at.push(step);
            find_invalid(item, at, false, f);
            at.pop();
        }
    };
    match v {
        Value::List(items) => {
            for (i, item) in items.iter().enumerate() {
                child(Step::Index(i), item, f);
            }
        }
        Value::Map(m) => {
            for (k, item) in m {
                child(Step::Key(k), item, f);
            }
        }
        Value::Fn(i) => match &**i {
            Intrinsic::InvalidLiteral {
                literal,
                kind,
                expected,
            } => f(&dotted(at), literal, kind, expected),
            other => {
                let mut inner = Vec::new();
                other.for_each_value(&mut |x| inner.push(x));
                for x in inner {
                    find_invalid(x, at, true, f);
                }
            }
        },
        _ => {}
    }
}

/// Export names are unique per account and region: two literal ones that are equal would fail
/// at deploy time, after the first stack was deployed.
pub fn export_names(stacks: &[crate::synth::StackArtifact]) -> Vec<SynthError> {
    let mut errors = Vec::new();
    let mut seen: std::collections::HashMap<String, String> = std::collections::HashMap::new();
    for stack in stacks {
        let Some(outputs) = stack
            .template
            .as_map()
            .and_then(|t| t.get("Outputs"))
            .and_then(Value::as_map)
        else {
            continue;
        };
        for (id, output) in outputs {
            let name = output
                .as_map()
                .and_then(|o| o.get("Export"))
                .and_then(Value::as_map)
                .and_then(|e| e.get("Name"))
                .and_then(Value::as_str);
            let Some(name) = name else { continue };
            let path = stack
                .paths
                .get(id)
                .cloned()
                .unwrap_or_else(|| format!("{}/Outputs/{id}", stack.id));
            if let Some(first) = seen.get(name) {
                errors.push(
                    SynthError::new(
                        &path,
                        format!("export name '{name}' is also exported by {first}"),
                    )
                    .hint("export names are unique per account and region; rename one export"),
                );
            } else {
                seen.insert(name.to_string(), path);
            }
        }
    }
    errors
}
