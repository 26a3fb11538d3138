//! Checks against CloudFormation's quotas and naming rules, run before anything is written.

use crate::app::App;
use crate::error::SynthError;
use crate::synth::logical_id;
use crate::synth::template::Sections;

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
    for s in app.stacks() {
        if seen.contains(&s.id()) {
            errors.push(
                SynthError::new(s.id(), format!("duplicate stack id '{}'", s.id()))
                    .hint("give each stack its own id"),
            );
        }
        seen.push(s.id());
        let name = s.name();
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
