//! The workspace read from its `Cargo.toml` files, without running Cargo: what `cargo metadata
//! --no-deps` reports of its members (names, manifests, binaries, path dependencies), for the
//! layouts that Cargo resolves without further rules. Starting `cargo metadata` costs tens of
//! milliseconds, more than the rest of a synthesis; reading a few small files costs well under
//! one.
//!
//! Anything this reader does not model returns `None` (the caller then runs `cargo metadata`):
//! `workspace.exclude`, a `package.workspace` key, member globs other than `*` and `?` in a
//! component, glob matches without a manifest or starting with a dot, `[[bin]]` sections,
//! `autobins`, a manifest that does not parse or a start directory outside the workspace found.

use std::fs;
use std::path::{Component, Path, PathBuf};

use toml::{Table, Value};

use super::{Member, Workspace};

/// The workspace that holds `dir`, as `cargo metadata --no-deps` run in `dir` would report it,
/// or `None` for a layout that needs Cargo's own rules.
pub(super) fn read(dir: &Path) -> Option<Workspace> {
    // Cargo starts from its working directory, which the kernel reports without symbolic links.
    let start = dir.canonicalize().ok()?;
    let (first_dir, first) = start.ancestors().find_map(|d| {
        let manifest = d.join("Cargo.toml");
        manifest.is_file().then(|| (d.to_path_buf(), manifest))
    })?;
    let first = parse(&first)?;
    let (root, root_manifest) = if first.contains_key("workspace") {
        (first_dir.clone(), first)
    } else {
        let package = first.get("package")?.as_table()?;
        if package.contains_key("workspace") {
            return None;
        }
        // The nearest manifest above with a `[workspace]`; a package without one is a
        // workspace of its own.
        let mut found = None;
        for d in first_dir.ancestors().skip(1) {
            let manifest = d.join("Cargo.toml");
            if manifest.is_file() {
                let table = parse(&manifest)?;
                if table.contains_key("workspace") {
                    found = Some((d.to_path_buf(), table));
                    break;
                }
            }
        }
        found.unwrap_or((first_dir.clone(), first))
    };
    let none = Table::new();
    let workspace = root_manifest
        .get("workspace")
        .and_then(Value::as_table)
        .unwrap_or(&none);
    if workspace.contains_key("exclude") {
        return None;
    }

    // Explicit members, then (as Cargo does) every path dependency inside the workspace's
    // directory, transitively.
    let mut pending: Vec<PathBuf> = Vec::new();
    if root_manifest.contains_key("package") {
        pending.push(root.clone());
    }
    if let Some(members) = workspace.get("members") {
        for pattern in members.as_array()? {
            pending.extend(expand(&root, pattern.as_str()?)?);
        }
    }
    let mut packages: Vec<Member> = Vec::new();
    let mut seen: Vec<PathBuf> = Vec::new();
    pending.reverse();
    while let Some(package_dir) = pending.pop() {
        if seen.contains(&package_dir) {
            continue;
        }
        seen.push(package_dir.clone());
        let manifest_path = package_dir.join("Cargo.toml");
        let manifest = if package_dir == root {
            root_manifest.clone()
        } else {
            parse(&manifest_path)?
        };
        let (member, dependency_dirs) =
            member(&package_dir, manifest_path, &manifest, &root, workspace)?;
        packages.push(member);
        pending.extend(dependency_dirs.into_iter().filter(|d| d.starts_with(&root)));
    }
    // Cargo refuses a package below a workspace that does not list it; let it say so.
    if first_dir != root && !seen.contains(&first_dir) {
        return None;
    }
    Some(Workspace { root, packages })
}

fn parse(manifest: &Path) -> Option<Table> {
    fs::read_to_string(manifest).ok()?.parse::<Table>().ok()
}

/// The member in `dir` and the directories of its path dependencies.
fn member(
    dir: &Path,
    manifest_path: PathBuf,
    manifest: &Table,
    root: &Path,
    workspace: &Table,
) -> Option<(Member, Vec<PathBuf>)> {
    let package = manifest.get("package")?.as_table()?;
    let name = package.get("name")?.as_str()?.to_string();
    let binaries = binaries(dir, &name, package, manifest, workspace)?;
    let inherited = workspace.get("dependencies").and_then(Value::as_table);

    let mut tables: Vec<&Table> = vec![manifest];
    if let Some(targets) = manifest.get("target").and_then(Value::as_table) {
        for target in targets.values() {
            tables.push(target.as_table()?);
        }
    }
    let mut path_dependencies = Vec::new();
    let mut dirs = Vec::new();
    for table in tables {
        for kind in [
            "dependencies",
            "dev-dependencies",
            "dev_dependencies",
            "build-dependencies",
            "build_dependencies",
        ] {
            let Some(deps) = table.get(kind) else {
                continue;
            };
            for (key, dep) in deps.as_table()? {
                let Some(dep) = dep.as_table() else {
                    continue;
                };
                let (dep, base) = if dep.get("workspace").and_then(Value::as_bool) == Some(true) {
                    match inherited.and_then(|t| t.get(key)).map(Value::as_table) {
                        Some(Some(found)) => (found, root),
                        Some(None) => continue,
                        None => return None,
                    }
                } else {
                    (dep, dir)
                };
                let Some(path) = dep.get("path") else {
                    continue;
                };
                let name = match dep.get("package") {
                    Some(p) => p.as_str()?,
                    None => key.as_str(),
                };
                path_dependencies.push(name.to_string());
                dirs.push(normalize(&base.join(path.as_str()?)));
            }
        }
    }
    let member = Member {
        name,
        manifest_path: normalize(&manifest_path),
        binaries,
        path_dependencies,
    };
    Some((member, dirs))
}

/// The names of the binary targets of the package `name` in `dir`: its `[[bin]]` sections and,
/// unless `autobins = false`, `src/main.rs` (named after the package), `src/bin/NAME.rs` and
/// `src/bin/NAME/main.rs`, each unless a section has its name or path.
fn binaries(
    dir: &Path,
    name: &str,
    package: &Table,
    manifest: &Table,
    workspace: &Table,
) -> Option<Vec<String>> {
    let mut explicit: Vec<(String, Option<PathBuf>)> = Vec::new();
    if let Some(sections) = manifest.get("bin") {
        for section in sections.as_array()? {
            let section = section.as_table()?;
            let path = match section.get("path") {
                Some(p) => Some(normalize(&dir.join(p.as_str()?))),
                None => None,
            };
            explicit.push((section.get("name")?.as_str()?.to_string(), path));
        }
    }
    let edition = match package.get("edition") {
        None => "2015",
        Some(Value::String(e)) => e.as_str(),
        Some(Value::Table(t)) if t.get("workspace").and_then(Value::as_bool) == Some(true) => {
            workspace
                .get("package")
                .and_then(|p| p.get("edition"))
                .and_then(Value::as_str)?
        }
        Some(_) => return None,
    };
    let discover = match package.get("autobins") {
        Some(v) => v.as_bool()?,
        // Edition 2015 turns discovery off when there are sections, with rules of its own.
        None if edition == "2015" && !explicit.is_empty() => return None,
        None => true,
    };
    let mut found: Vec<(String, PathBuf)> = Vec::new();
    if discover {
        let main = dir.join("src/main.rs");
        if main.is_file() {
            found.push((name.to_string(), normalize(&main)));
        }
        if let Ok(entries) = fs::read_dir(dir.join("src/bin")) {
            for entry in entries {
                let entry = entry.ok()?;
                let file = entry.file_name().to_str()?.to_string();
                if file.starts_with('.') {
                    return None;
                }
                let path = entry.path();
                if path.is_dir() {
                    if path.join("main.rs").is_file() {
                        found.push((file, normalize(&path.join("main.rs"))));
                    }
                } else if let Some(stem) = file.strip_suffix(".rs") {
                    found.push((stem.to_string(), normalize(&path)));
                }
            }
        }
    }
    found.retain(|(n, p)| {
        !explicit
            .iter()
            .any(|(e, ep)| e == n || ep.as_ref() == Some(p))
    });
    let mut names: Vec<String> = explicit.into_iter().map(|(n, _)| n).collect();
    names.extend(found.into_iter().map(|(n, _)| n));
    Some(names)
}

/// The member directories of `pattern` (relative to `root`): a path, or one whose components
/// may hold `*` and `?`, expanded in sorted order as Cargo's glob does.
fn expand(root: &Path, pattern: &str) -> Option<Vec<PathBuf>> {
    if !pattern.contains(['*', '?', '[']) {
        return Some(vec![normalize(&root.join(pattern))]);
    }
    if pattern.contains(['[', ']', '\\']) {
        return None;
    }
    let mut found = vec![root.to_path_buf()];
    for part in pattern.split('/').filter(|p| !p.is_empty() && *p != ".") {
        if part == "**" || part == ".." {
            return None;
        }
        if !part.contains(['*', '?']) {
            found = found.into_iter().map(|d| d.join(part)).collect();
            continue;
        }
        let mut next = Vec::new();
        for d in &found {
            let Ok(entries) = fs::read_dir(d) else {
                continue;
            };
            let mut names = Vec::new();
            for entry in entries {
                let name = entry.ok()?.file_name().to_str()?.to_string();
                if component(part.as_bytes(), name.as_bytes()) {
                    names.push(name);
                }
            }
            names.sort();
            next.extend(names.into_iter().map(|n| d.join(n)));
        }
        found = next;
    }
    // A match that is not a package, or hidden, is a case for Cargo's own rules.
    for d in &found {
        let hidden = d
            .file_name()
            .and_then(|n| n.to_str())
            .is_none_or(|n| n.starts_with('.'));
        if hidden || !d.join("Cargo.toml").is_file() {
            return None;
        }
    }
    Some(found)
}

/// Matches one path component: `*` any run of characters, `?` one.
fn component(pattern: &[u8], text: &[u8]) -> bool {
    match pattern.split_first() {
        None => text.is_empty(),
        Some((b'*', rest)) => (0..=text.len()).any(|i| component(rest, &text[i..])),
        Some((b'?', rest)) => !text.is_empty() && component(rest, &text[1..]),
        Some((c, rest)) => text.first() == Some(c) && component(rest, &text[1..]),
    }
}

/// `a/./b/../c` -> `a/c`, without touching the file system (as Cargo normalizes paths).
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}
