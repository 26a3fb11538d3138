//! Name conversions: CloudFormation names to Rust identifiers, and schema text to rustdoc.

/// Rust keywords (strict and reserved, 2021 edition) that cannot be used as plain identifiers.
const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate",
    "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl",
    "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref",
    "return", "self", "static", "struct", "super", "trait", "true", "try", "type", "typeof",
    "union", "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// Acronyms with a lower-case letter inside that would otherwise split oddly (`IPv6` -> `i_pv6`).
const SPECIAL: &[(&str, &str)] = &[("IPv4", "Ipv4"), ("IPv6", "Ipv6"), ("IPs", "Ips")];

/// Splits a CloudFormation name into lower-case words: `DBInstanceClass` -> `db instance class`,
/// `EC2Fleet` -> `ec2 fleet`; anything not alphanumeric separates words.
pub fn words(name: &str) -> Vec<String> {
    let mut text = name.to_string();
    for (from, to) in SPECIAL {
        text = text.replace(from, to);
    }
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut cur = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_ascii_alphanumeric() {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            continue;
        }
        if c.is_ascii_uppercase() && !cur.is_empty() {
            let prev = chars[i - 1];
            let next_lower = chars.get(i + 1).is_some_and(|n| n.is_ascii_lowercase());
            if prev.is_ascii_lowercase()
                || prev.is_ascii_digit()
                || (prev.is_ascii_uppercase() && next_lower)
            {
                out.push(std::mem::take(&mut cur));
            }
        }
        cur.push(c.to_ascii_lowercase());
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// `snake_case` identifier, keywords escaped with a trailing underscore (`type_`), a leading digit
/// prefixed with `n`.
pub fn snake(name: &str) -> String {
    let mut s = words(name).join("_");
    if s.is_empty() {
        s = "value".into();
    }
    if s.starts_with(|c: char| c.is_ascii_digit()) {
        s = format!("n{s}");
    }
    if KEYWORDS.contains(&s.as_str()) {
        s.push('_');
    }
    s
}

/// `PascalCase` type name, acronyms normalised (`VPC` -> `Vpc`, `DBInstance` -> `DbInstance`).
pub fn pascal(name: &str) -> String {
    let mut s: String = words(name)
        .iter()
        .map(|w| {
            let mut c = w.chars();
            match c.next() {
                Some(f) => f.to_ascii_uppercase().to_string() + c.as_str(),
                None => String::new(),
            }
        })
        .collect();
    if s.is_empty() {
        s = "Empty".into();
    }
    if s.starts_with(|c: char| c.is_ascii_digit()) {
        s = format!("V{s}");
    }
    if RESERVED_TYPE_NAMES.contains(&s.as_str()) {
        s.push('_');
    }
    s
}

/// Type and variant names that get a trailing underscore: `Self` is a keyword, and `From` and
/// `Into` are the traits every setter's bound names. rustc shortens `std::convert::From` to `From`
/// in its messages only while no other item of the build has that name, so a generated
/// `Attribute::From` would change the wording of every wrong-value error for whoever enables its
/// service.
const RESERVED_TYPE_NAMES: &[&str] = &["Self", "From", "Into"];

/// Longest doc text kept; schema descriptions can run to several kilobytes.
const DOC_MAX: usize = 600;

/// Schema description to one rustdoc paragraph: whitespace collapsed, long text truncated, and
/// markdown that rustdoc would misread neutralised (`[x]` links, `<x>` HTML, code fences that
/// would become doctests). Markdown links become `text (<url>)`, bare URLs become autolinks.
pub fn doc_text(text: &str) -> String {
    let collapsed = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut s = collapsed.replace("```", "``");
    if s.chars().count() > DOC_MAX {
        let mut cut: String = s.chars().take(DOC_MAX).collect();
        if let Some(pos) = cut.rfind(' ') {
            cut.truncate(pos);
        }
        s = format!("{cut} …");
    }
    let s = replace_md_links(&s);
    let mut out = String::with_capacity(s.len() + 16);
    let mut rest = s.as_str();
    while !rest.is_empty() {
        if let Some(url_len) = url_at(rest) {
            out.push('<');
            out.push_str(&rest[..url_len]);
            out.push('>');
            rest = &rest[url_len..];
            continue;
        }
        let c = rest.chars().next().unwrap_or(' ');
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '[' => out.push_str("\\["),
            ']' => out.push_str("\\]"),
            '\\' => out.push_str("\\\\"),
            '\u{0}'..='\u{8}' | '\u{b}'..='\u{1f}' => out.push(' '),
            _ => out.push(c),
        }
        rest = &rest[c.len_utf8()..];
    }
    out.trim().to_string()
}

/// `[text](url)` -> `text (url)`; the URL is turned into an autolink afterwards.
fn replace_md_links(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(start) = rest.find('[') {
        let Some(mid) = rest[start..].find("](").map(|m| m + start) else {
            break;
        };
        let Some(end) = rest[mid..].find(')').map(|e| e + mid) else {
            break;
        };
        let text = &rest[start + 1..mid];
        let url = &rest[mid + 2..end];
        if text.contains('[') || url.contains(' ') {
            out.push_str(&rest[..start + 1]);
            rest = &rest[start + 1..];
            continue;
        }
        out.push_str(&rest[..start]);
        out.push_str(text);
        out.push_str(" (");
        out.push_str(url);
        out.push(')');
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    out
}

/// Length of an `http(s)://` URL at the start of `s`, if there is one.
fn url_at(s: &str) -> Option<usize> {
    if !(s.starts_with("https://") || s.starts_with("http://")) {
        return None;
    }
    let len = s
        .find(|c: char| c.is_whitespace() || matches!(c, ')' | '<' | '>' | '"' | '`' | ']' | '['))
        .unwrap_or(s.len());
    let trimmed = s[..len].trim_end_matches(['.', ',', ';', ':']);
    Some(trimmed.len())
}

/// A string as a Rust string literal.
pub fn lit(s: &str) -> String {
    format!("{s:?}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers() {
        assert_eq!(snake("DBInstanceClass"), "db_instance_class");
        assert_eq!(snake("VPCId"), "vpc_id");
        assert_eq!(snake("Ipv6CidrBlock"), "ipv6_cidr_block");
        assert_eq!(snake("IPv6CidrBlock"), "ipv6_cidr_block");
        assert_eq!(snake("Type"), "type_");
        assert_eq!(snake("EC2Fleet"), "ec2_fleet");
        assert_eq!(pascal("VPC"), "Vpc");
        assert_eq!(
            pascal("SubnetRouteTableAssociation"),
            "SubnetRouteTableAssociation"
        );
        assert_eq!(pascal("DBInstance"), "DbInstance");
        assert_eq!(pascal("t2.micro"), "T2Micro");
        assert_eq!(pascal("1h"), "V1h");
        assert_eq!(pascal("*"), "Empty");
        assert_eq!(pascal("FROM"), "From_");
        assert_eq!(pascal("Self"), "Self_");
    }

    #[test]
    fn docs_escape_links_and_html() {
        assert_eq!(
            doc_text("See [Subnets](https://example.com/a) and <b>x</b>\n  next [0]."),
            "See Subnets (<https://example.com/a>) and &lt;b&gt;x&lt;/b&gt; next \\[0\\]."
        );
        assert_eq!(doc_text("```\ncode\n```"), "`` code ``");
    }
}
