//! Text rendering of a [`TemplateDiff`].

use std::fmt::Write;

use serde_json::Value;

use super::normalize::canonical;
use super::{Change, TemplateDiff};

/// Longest value shown inline; longer ones are cut.
const MAX_VALUE: usize = 160;

fn mark(change: Change) -> &'static str {
    match change {
        Change::Added => "[+]",
        Change::Removed => "[-]",
        Change::Modified => "[~]",
    }
}

fn show(value: &Option<Value>) -> String {
    let text = match value {
        None => return "(absent)".to_string(),
        Some(v) => canonical(v),
    };
    if text.chars().count() > MAX_VALUE {
        let cut: String = text.chars().take(MAX_VALUE).collect();
        format!("{cut}...")
    } else {
        text
    }
}

/// Human-readable diff of one stack, headed by `title`.
pub fn render(title: &str, diff: &TemplateDiff) -> String {
    let mut out = String::new();
    if diff.is_empty() {
        let _ = writeln!(out, "{title}: no differences");
        return out;
    }
    let _ = writeln!(out, "{title}");
    if !diff.resources.is_empty() {
        let _ = writeln!(out, "Resources");
    }
    for r in &diff.resources {
        let _ = writeln!(
            out,
            "{} {} {}",
            mark(r.change),
            r.resource_type,
            r.logical_id
        );
        for p in &r.properties {
            let _ = writeln!(out, "    {}: {} -> {}", p.path, show(&p.old), show(&p.new));
        }
    }
    for r in diff.data_loss() {
        let _ = writeln!(
            out,
            "!!! DATA LOSS: {} {} holds data and will be DELETED{}; a moved construct changes its logical id",
            r.resource_type,
            r.logical_id,
            match diff
                .resources
                .iter()
                .find(|n| n.change == Change::Added && n.resource_type == r.resource_type)
            {
                Some(n) if r.change == Change::Removed => {
                    format!(" (a new {} {} is created instead)", n.resource_type, n.logical_id)
                }
                _ => String::new(),
            }
        );
    }
    if !diff.security.is_empty() {
        let _ = writeln!(out, "Security-relevant changes");
        for s in &diff.security {
            let _ = writeln!(
                out,
                "{} {} on {}{}: {}",
                if s.added { "[+]" } else { "[-]" },
                s.kind,
                s.logical_id,
                if s.broadening { " (widens access)" } else { "" },
                s.detail
            );
        }
    }
    let mut section = "";
    for e in &diff.other {
        if e.section != section {
            section = &e.section;
            let _ = writeln!(out, "{section}");
        }
        let _ = writeln!(out, "{} {}", mark(e.change), e.name);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::diff_templates;
    use super::*;
    use serde_json::json;

    #[test]
    fn renders_changes_security_and_data_loss() {
        let old = json!({"Resources": {
            "Logs": {"Type": "AWS::Logs::LogGroup"},
            "Q": {"Type": "AWS::SQS::Queue", "Properties": {"DelaySeconds": 1}}}});
        let new = json!({"Resources": {
            "Logs2": {"Type": "AWS::Logs::LogGroup"},
            "Q": {"Type": "AWS::SQS::Queue", "Properties": {"DelaySeconds": 2}},
            "P": {"Type": "AWS::IAM::Policy", "Properties": {"PolicyName": "p", "Roles": ["r"],
                "PolicyDocument": {"Statement": [{"Effect": "Allow", "Action": "sqs:*", "Resource": "*"}]}}}},
            "Outputs": {"Url": {"Value": "u"}}});
        let text = render("Stack App", &diff_templates(&old, &new, &[]));
        for expected in [
            "Stack App\nResources\n",
            "[+] AWS::Logs::LogGroup Logs2\n",
            "[~] AWS::SQS::Queue Q\n    Properties.DelaySeconds: \"1\" -> \"2\"\n",
            "[-] AWS::Logs::LogGroup Logs\n",
            "!!! DATA LOSS: AWS::Logs::LogGroup Logs holds data and will be DELETED (a new AWS::Logs::LogGroup Logs2 is created instead)",
            "[+] IAM statement on P (widens access): {\"Action\":[\"sqs:*\"],\"Effect\":\"Allow\",\"Resource\":[\"*\"]}",
            "[+] IAM policy attachment on P (widens access): role \"r\"",
            "Outputs\n[+] Url\n",
        ] {
            assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
        }
    }

    #[test]
    fn says_so_when_nothing_differs() {
        let t = json!({"Resources": {"Q": {"Type": "AWS::SQS::Queue"}}});
        assert_eq!(
            render("Stack A", &diff_templates(&t, &t, &[])),
            "Stack A: no differences\n"
        );
    }
}
