//! A small block-style YAML emitter for templates.
//!
//! CloudFormation (and cfn-lint, through PyYAML) read YAML 1.1, where plain `yes`, `on`, `no`,
//! `12:30`, `0755`, `2010-09-09` or `=` are not strings. General-purpose emitters follow YAML 1.2
//! and write some of them unquoted, so a string property `on` would deploy as `true`. This
//! emitter quotes every string that a YAML 1.1 or 1.2 reader could take for something else.

use serde_norway::Value as Y;

/// Where a node is written: the caller has already written `key:` (map value), `- ` (sequence
/// item) or nothing (top of the document).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Pos {
    Top,
    MapValue,
    SeqItem,
}

/// The YAML text of `v`, ending with a newline.
pub fn emit(v: &Y) -> Result<String, String> {
    let mut out = String::new();
    node(&mut out, v, 0, Pos::Top)?;
    Ok(out)
}

fn pad(out: &mut String, n: usize) {
    out.extend(std::iter::repeat_n(' ', n));
}

/// Writes `v`; `indent` is the column of the key (map value), of the dash (sequence item) or 0.
fn node(out: &mut String, v: &Y, indent: usize, pos: Pos) -> Result<(), String> {
    // Column of the content of a nested block collection / multi-line scalar (block scalar
    // lines are never put at column 0, where a line `---` would end the document).
    let inner = if pos == Pos::Top { 0 } else { indent + 2 };
    let lead = if pos == Pos::MapValue { " " } else { "" };
    match v {
        Y::Mapping(m) if !m.is_empty() => {
            match pos {
                Pos::MapValue => {
                    out.push('\n');
                    entries(out, m, inner, false)
                }
                // The first entry goes on the dash's line.
                Pos::SeqItem => entries(out, m, inner, true),
                Pos::Top => entries(out, m, 0, false),
            }
        }
        Y::Sequence(items) if !items.is_empty() => match pos {
            // Block sequences in a mapping are not indented (`key:\n- a`), as is usual.
            Pos::MapValue => {
                out.push('\n');
                sequence(out, items, indent, false)
            }
            Pos::SeqItem => sequence(out, items, inner, true),
            Pos::Top => sequence(out, items, 0, false),
        },
        Y::Tagged(t) => {
            out.push_str(lead);
            out.push('!');
            out.push_str(t.tag.to_string().trim_start_matches('!'));
            match &t.value {
                Y::Tagged(_) => Err("a YAML node cannot carry two tags".to_string()),
                Y::Mapping(m) if !m.is_empty() => {
                    out.push('\n');
                    entries(out, m, inner, false)
                }
                Y::Sequence(items) if !items.is_empty() => {
                    out.push('\n');
                    sequence(out, items, inner, false)
                }
                other => {
                    out.push(' ');
                    out.push_str(&scalar(other, inner.max(2))?);
                    out.push('\n');
                    Ok(())
                }
            }
        }
        other => {
            out.push_str(lead);
            out.push_str(&scalar(other, inner.max(2))?);
            out.push('\n');
            Ok(())
        }
    }
}

fn entries(
    out: &mut String,
    m: &serde_norway::Mapping,
    col: usize,
    first_inline: bool,
) -> Result<(), String> {
    for (i, (k, v)) in m.iter().enumerate() {
        if !(first_inline && i == 0) {
            pad(out, col);
        }
        let Y::String(key) = k else {
            return Err("template keys must be strings".to_string());
        };
        out.push_str(&key_text(key)?);
        out.push(':');
        node(out, v, col, Pos::MapValue)?;
    }
    Ok(())
}

fn sequence(out: &mut String, items: &[Y], col: usize, first_inline: bool) -> Result<(), String> {
    for (i, item) in items.iter().enumerate() {
        if !(first_inline && i == 0) {
            pad(out, col);
        }
        out.push_str("- ");
        node(out, item, col, Pos::SeqItem)?;
    }
    Ok(())
}

/// A scalar (or an empty collection); `col` is where continuation lines of a block scalar go.
fn scalar(v: &Y, col: usize) -> Result<String, String> {
    Ok(match v {
        Y::Null => "null".to_string(),
        Y::Bool(b) => b.to_string(),
        Y::Number(n) => number(n),
        Y::String(s) => string(s, col),
        Y::Mapping(_) => "{}".to_string(),
        Y::Sequence(_) => "[]".to_string(),
        Y::Tagged(_) => return Err("a YAML node cannot carry two tags".to_string()),
    })
}

fn number(n: &serde_norway::Number) -> String {
    if let Some(i) = n.as_i64() {
        i.to_string()
    } else if let Some(u) = n.as_u64() {
        u.to_string()
    } else {
        // Decimal notation with a dot: YAML 1.1 reads `1e5` as a string and `2` as an integer.
        let f = n.as_f64().unwrap_or(0.0);
        let s = format!("{f}");
        if s.contains('.') {
            s
        } else {
            s + ".0"
        }
    }
}

/// A mapping key: always on one line (a block scalar cannot be an implicit key).
fn key_text(key: &str) -> Result<String, String> {
    let text = if key.contains('\n') {
        double_quoted(key)
    } else {
        string(key, 0)
    };
    // YAML limits implicit keys to 1024 characters.
    if text.chars().count() > 1024 {
        return Err(format!(
            "a mapping key is longer than 1024 characters: {key:.40}..."
        ));
    }
    Ok(text)
}

/// A string, plain when no YAML reader can mistake it, else quoted.
fn string(s: &str, col: usize) -> String {
    if s.contains('\n') {
        if let Some(block) = literal_block(s, col) {
            return block;
        }
        return double_quoted(s);
    }
    if plain_ok(s) {
        s.to_string()
    } else if s.chars().all(printable) {
        format!("'{}'", s.replace('\'', "''"))
    } else {
        double_quoted(s)
    }
}

fn printable(c: char) -> bool {
    !(c.is_control() || matches!(c, '\u{feff}' | '\u{2028}' | '\u{2029}'))
}

/// Words that YAML 1.1 or 1.2 resolves to booleans or null (compared case-insensitively).
const SPECIAL_WORDS: [&str; 11] = [
    "y", "n", "yes", "no", "true", "false", "on", "off", "null", "~", "<<",
];

fn plain_ok(s: &str) -> bool {
    let Some(first) = s.chars().next() else {
        return false;
    };
    let last = s.chars().next_back().unwrap_or(first);
    if first.is_whitespace() || last.is_whitespace() || last == ':' {
        return false;
    }
    // Indicators, and `+`/`.` which start numbers (`+1`, `.5`, `.inf`).
    if "-?:,[]{}#&*!|>'\"%@`=+.".contains(first) {
        return false;
    }
    if s.contains(": ") || s.contains(" #") || s.contains('\t') || !s.chars().all(printable) {
        return false;
    }
    if SPECIAL_WORDS.iter().any(|w| s.eq_ignore_ascii_case(w)) {
        return false;
    }
    // Integers, floats, octals, sexagesimals (`12:30`), timestamps: quote anything number-like.
    let number_like = first.is_ascii_digit()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "_:.+-".contains(c));
    !number_like
}

fn double_quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if !printable(c) => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// `|` block for multi-line text (scripts, policies), when it can represent `s` exactly.
fn literal_block(s: &str, col: usize) -> Option<String> {
    let body = s.trim_end_matches('\n');
    let trailing = s.len() - body.len();
    let first_line = body.lines().find(|l| !l.is_empty())?;
    let safe = !first_line.starts_with([' ', '\t'])
        && body.chars().all(|c| c == '\t' || c == '\n' || printable(c))
        && !body.lines().any(|l| l.ends_with([' ', '\t']));
    if !safe {
        return None;
    }
    let chomp = match trailing {
        0 => "-",
        1 => "",
        _ => "+",
    };
    let mut out = format!("|{chomp}");
    for line in s
        .split('\n')
        .take(body.split('\n').count() + trailing.saturating_sub(1))
    {
        out.push('\n');
        if !line.is_empty() {
            out.push_str(&" ".repeat(col));
            out.push_str(line);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> String {
        emit(&Y::String(s.to_string())).unwrap()
    }

    #[test]
    fn yaml_1_1_specials_are_quoted() {
        for s in [
            "on",
            "Off",
            "yes",
            "NO",
            "y",
            "n",
            "true",
            "null",
            "~",
            "=",
            "<<",
            "12:30",
            "0755",
            "1e3",
            "0x1F",
            "1_000",
            "2010-09-09",
            ".inf",
            "+1",
            "-1",
            "",
        ] {
            assert_eq!(text(s), format!("'{s}'\n"), "{s}");
        }
    }

    #[test]
    fn ordinary_strings_are_plain() {
        for s in [
            "hello",
            "AWS::SQS::Queue",
            "${AWS::Region}-x",
            "/cdk/x",
            "x=1",
        ] {
            assert_eq!(text(s), format!("{s}\n"), "{s}");
        }
        assert_eq!(text("it's: here"), "'it''s: here'\n");
        assert_eq!(text("bell\u{7}"), "\"bell\\u0007\"\n");
    }

    proptest::proptest! {
        #[test]
        fn any_string_reads_back_unchanged(s in "\\PC*|[ -~\n\t\r]{0,40}", key in "[ -~]{1,10}") {
            let mut m = serde_norway::Mapping::new();
            m.insert(Y::String(key.clone()), Y::Sequence(vec![Y::String(s.clone())]));
            let text = emit(&Y::Mapping(m.clone())).unwrap();
            let read: Y = serde_norway::from_str(&text).unwrap();
            proptest::prop_assert_eq!(read, Y::Mapping(m), "{}", text);
        }
    }

    #[test]
    fn multi_line_text_is_a_literal_block() {
        let mut m = serde_norway::Mapping::new();
        m.insert(
            Y::String("Script".into()),
            Y::String("#!/bin/sh\necho hi\n".into()),
        );
        m.insert(Y::String("Two".into()), Y::String("a\n\nb".into()));
        m.insert(Y::String("Indented".into()), Y::String("  a\nb".into()));
        assert_eq!(
            emit(&Y::Mapping(m)).unwrap(),
            "Script: |\n  #!/bin/sh\n  echo hi\nTwo: |-\n  a\n\n  b\nIndented: \"  a\\nb\"\n"
        );
    }
}
