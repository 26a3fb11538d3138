//! `action!` / `actions!`: IAM action literals checked against the IAM action list of the
//! pinned cfn-lint (`generated/iam_actions.txt`, written by rcdk-codegen).
//!
//! The input is `CRATE, "service:Action", ...` where `CRATE` is the path of rcdk-constructs as
//! the `macro_rules!` wrappers in rcdk-constructs pass it (`$crate`), so the expansion resolves
//! for users of the facade, of rcdk-constructs, and inside rcdk-constructs itself.

use proc_macro2::{Span, TokenStream, TokenTree};
use quote::{quote, quote_spanned};
use syn::parse::Parser;
use syn::punctuated::Punctuated;
use syn::{LitStr, Token};

/// The action list: a `//` header, then `prefix Action1 Action2 ...` per line.
const LIST: &str = include_str!("generated/iam_actions.txt");

/// What messages call the list: with the cfn-lint version from the header, so that a user
/// knows which list refused an action.
fn source() -> String {
    let version = LIST
        .lines()
        .next()
        .and_then(|header| header.split("cfn-lint ").nth(1))
        .and_then(|rest| rest.split(' ').next())
        .unwrap_or("?");
    format!("the IAM action list of cfn-lint {version}")
}

/// Expands `action!` (`many == false`, exactly one literal: an `Action`) or `actions!` (an
/// array `[Action; N]`).
pub fn expand(input: TokenStream, many: bool) -> TokenStream {
    let mut tokens = input.into_iter();
    let krate: TokenStream = tokens
        .by_ref()
        .take_while(|t| !matches!(t, TokenTree::Punct(p) if p.as_char() == ','))
        .collect();
    let rest: TokenStream = tokens.collect();
    let usage = if many {
        "expected IAM action literals: `actions![\"sqs:SendMessage\", \"sqs:GetQueueAttributes\"]`"
    } else {
        "expected one IAM action literal: `action!(\"sqs:SendMessage\")`"
    };
    let span = rest
        .clone()
        .into_iter()
        .next()
        .map_or_else(Span::call_site, |t| t.span());
    let value =
        |lit: &LitStr| quote_spanned!(lit.span()=> #krate::iam::Action::from_checked_literal(#lit));
    let expansion = |values: Vec<TokenStream>| {
        if many {
            quote!([#(#values),*])
        } else {
            quote!(#(#values)*)
        }
    };
    // On error the errors come with an expansion of the right type, so that the caller gets
    // no type errors on top; it is never built, since the crate does not compile.
    let failure = |errors: syn::Error, values: Vec<TokenStream>| {
        let errors = errors.to_compile_error();
        let values = expansion(values);
        quote!({ #errors #values })
    };
    let placeholder = || {
        let empty = LitStr::new("", span);
        if many {
            Vec::new()
        } else {
            vec![value(&empty)]
        }
    };
    let lits = match Punctuated::<LitStr, Token![,]>::parse_terminated.parse2(rest) {
        Ok(lits) if !lits.is_empty() && (many || lits.len() == 1) => lits,
        Ok(_) => return failure(syn::Error::new(span, usage), placeholder()),
        // syn's own message ("expected string literal") adds nothing to the usage.
        Err(e) => return failure(syn::Error::new(e.span(), usage), placeholder()),
    };
    let values: Vec<TokenStream> = lits.iter().map(value).collect();
    let mut errors: Option<syn::Error> = None;
    for lit in &lits {
        if let Err(msg) = check(&lit.value()) {
            let e = syn::Error::new(lit.span(), msg);
            match &mut errors {
                Some(all) => all.combine(e),
                None => errors = Some(e),
            }
        }
    }
    match errors {
        Some(e) => failure(e, values),
        None => expansion(values),
    }
}

/// Whether `text` is a listed action; the error message otherwise.
fn check(text: &str) -> Result<(), String> {
    let shape = "an IAM action is `service:ActionName`, e.g. `sqs:ReceiveMessage`";
    if text.contains('*') {
        return Err(format!(
            "`action!` takes no wildcards: `{text}` grants every matching action, including ones \
             AWS adds later; list the actions (`actions![..]`), or write \
             `Action::wildcard_explicitly(\"{text}\")?` if that is really meant"
        ));
    }
    let Some((prefix, name)) = text.split_once(':') else {
        return Err(format!("`{text}` is not an IAM action: {shape}"));
    };
    let word = |s: &str, extra: char| {
        !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == extra)
    };
    if !word(prefix, '-') || !word(name, '-') {
        return Err(format!("`{text}` is not an IAM action: {shape}"));
    }
    let lower = prefix.to_ascii_lowercase();
    let Some(actions) = service(&lower) else {
        // A service's name instead of its prefix (`cloudwatchlogs:PutLogEvents`) is best
        // answered by the services that have the action; else by the closest prefix.
        let having: Vec<(&str, &str)> = lines()
            .filter_map(|line| {
                let (p, actions) = line.split_once(' ')?;
                Some((p, find(actions, name)?))
            })
            .collect();
        let hint = if having.is_empty() {
            or_list(&closest(services(), &lower))
        } else {
            let best = closest(having.iter().map(|(p, _)| *p), &lower);
            let near: Vec<String> = having
                .iter()
                .filter(|(p, _)| best.contains(p))
                .map(|(p, n)| format!("{p}:{n}"))
                .collect();
            or_list(&near.iter().map(String::as_str).collect::<Vec<_>>())
        };
        return Err(format!(
            "unknown IAM service prefix `{prefix}` (not in {}); did you mean {hint}?",
            source()
        ));
    };
    if prefix != lower {
        // Action::new refuses upper-case prefixes; the checked constructor must not accept more.
        let n = find(actions, name).unwrap_or(name);
        return Err(format!(
            "IAM service prefixes are lower-case: write `{lower}:{n}`"
        ));
    }
    if find(actions, name).is_some() {
        return Ok(());
    }
    let near: Vec<String> = closest(actions.split(' '), name)
        .into_iter()
        .map(|n| format!("{prefix}:{n}"))
        .collect();
    let near: Vec<&str> = near.iter().map(String::as_str).collect();
    Err(format!(
        "`{prefix}` has no action `{name}` (not in {}); did you mean {}?",
        source(),
        or_list(&near)
    ))
}

/// The space-separated actions of a lower-case service prefix.
fn service(prefix: &str) -> Option<&'static str> {
    lines().find_map(|line| {
        let (p, actions) = line.split_once(' ').unwrap_or((line, ""));
        (p == prefix).then_some(actions)
    })
}

fn services() -> impl Iterator<Item = &'static str> {
    lines().map(|line| line.split_once(' ').map_or(line, |(p, _)| p))
}

fn lines() -> impl Iterator<Item = &'static str> {
    LIST.lines()
        .filter(|l| !l.is_empty() && !l.starts_with("//"))
}

/// The listed spelling of `name` in `actions`, compared case-insensitively as IAM does.
fn find(actions: &'static str, name: &str) -> Option<&'static str> {
    actions.split(' ').find(|a| a.eq_ignore_ascii_case(name))
}

/// The candidates at the smallest edit distance from `target` (case-insensitive), at most
/// three, in list order.
fn closest<'a>(candidates: impl Iterator<Item = &'a str>, target: &str) -> Vec<&'a str> {
    let target = target.to_ascii_lowercase();
    let mut best = usize::MAX;
    let mut found = Vec::new();
    for c in candidates {
        let d = distance(&c.to_ascii_lowercase(), &target);
        if d < best {
            best = d;
            found.clear();
        }
        if d == best && found.len() < 3 {
            found.push(c);
        }
    }
    found
}

/// `a`, `a` or `b`, `a`, `b` or `c`, each in backticks.
fn or_list(items: &[&str]) -> String {
    let quoted: Vec<String> = items.iter().map(|i| format!("`{i}`")).collect();
    match quoted.split_last() {
        None => "nothing".to_string(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
    }
}

/// Levenshtein distance over bytes (the texts are ASCII).
fn distance(a: &str, b: &str) -> usize {
    let b = b.as_bytes();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.bytes().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (diagonal + usize::from(ca != cb))
                .min(above + 1)
                .min(row[j] + 1);
            diagonal = above;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_the_list_version() {
        let version = source().replace("the IAM action list of cfn-lint ", "");
        assert!(
            version.split('.').all(|n| n.parse::<u32>().is_ok()),
            "{version}"
        );
    }

    #[test]
    fn distance_counts_edits() {
        assert_eq!(distance("kitten", "sitting"), 3);
        assert_eq!(distance("", "abc"), 3);
        assert_eq!(distance("same", "same"), 0);
    }

    #[test]
    fn listed_actions_pass_in_any_case() {
        assert_eq!(check("sqs:ReceiveMessage"), Ok(()));
        assert_eq!(check("sqs:receivemessage"), Ok(()));
        assert_eq!(check("rds-db:connect"), Ok(()));
    }

    #[test]
    fn messages_name_the_closest_match() {
        let e = check("sqs:RecieveMessage").unwrap_err();
        assert!(e.contains("did you mean `sqs:ReceiveMessage`?"), "{e}");
        let e = check("sqss:SendMessage").unwrap_err();
        assert!(e.contains("did you mean `sqs:SendMessage`?"), "{e}");
        let e = check("cloudwatchlogs:PutLogEvents").unwrap_err();
        assert!(e.contains("did you mean `logs:PutLogEvents`?"), "{e}");
        let e = check("sqss:NoSuchThing").unwrap_err();
        assert!(e.contains("did you mean `sqs`?"), "{e}");
        let e = check("SQS:SendMessage").unwrap_err();
        assert!(e.contains("write `sqs:SendMessage`"), "{e}");
        assert!(check("s3:Get*")
            .unwrap_err()
            .contains("wildcard_explicitly"));
        assert!(check("s3GetObject")
            .unwrap_err()
            .contains("service:ActionName"));
    }
}
