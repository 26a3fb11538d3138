//! What the command line prints: stack lists, the tree, annotations and costs.

use crate::construct::Level;
use crate::synth::Assembly;

/// `list`: stacks in deployment order.
pub fn list(assembly: &Assembly, long: bool) {
    for s in &assembly.stacks {
        if long {
            let deps = if s.dependencies.is_empty() {
                "-".to_string()
            } else {
                s.dependencies.join(", ")
            };
            println!("{}\tstack name: {}\tdepends on: {deps}", s.id, s.name);
        } else {
            println!("{}", s.id);
        }
    }
}

/// `tree`: an indented listing of paths, types and logical ids.
pub fn tree(assembly: &Assembly) {
    fn walk(node: &serde_json::Value, depth: usize) {
        let id = node["id"].as_str().unwrap_or("");
        let ty = node["type"].as_str().unwrap_or("");
        match node["logicalId"].as_str() {
            Some(logical) => println!("{}{id} [{ty}] {logical}", "  ".repeat(depth)),
            None => println!("{}{id} [{ty}]", "  ".repeat(depth)),
        }
        for child in node["children"].as_array().into_iter().flatten() {
            walk(child, depth + 1);
        }
    }
    for stack in assembly.tree["stacks"].as_array().into_iter().flatten() {
        walk(stack, 0);
    }
}

/// Warnings and notes, on standard error.
pub fn annotations(assembly: &Assembly) {
    for (path, a) in &assembly.annotations {
        let level = match a.level {
            Level::Info => "note",
            Level::Warning => "warning",
            Level::Error => "error",
        };
        eprintln!("{level} at {path}: {}", a.message);
    }
}

/// The fixed monthly costs the app creates, summed per item.
pub fn costs(assembly: &Assembly) {
    if assembly.costs.is_empty() {
        return;
    }
    let mut totals: indexmap::IndexMap<&str, (u32, f64)> = indexmap::IndexMap::new();
    for (_, c) in &assembly.costs {
        let e = totals.entry(c.item.as_str()).or_insert((0, 0.0));
        e.0 += c.count;
        e.1 += c.usd_per_month_each * f64::from(c.count);
    }
    eprintln!("fixed monthly costs (estimate from us-east-1 list prices, see rcdk-constructs/src/pricing.rs):");
    let mut sum = 0.0;
    for (item, (count, usd)) in &totals {
        eprintln!("  {count} x {item} ~ {usd:.0} USD/month");
        sum += usd;
    }
    eprintln!("  total ~ {sum:.0} USD/month before traffic");
}
