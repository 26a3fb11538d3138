//! What the command line prints: stack lists, the tree, annotations and costs.

use indexmap::IndexMap;

use crate::construct::{CostItem, Level, Price};
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

/// What the cost report never counts, whatever the app: charges that grow with use.
pub const USAGE_NOT_COUNTED: &str = "traffic (data transfer, NAT and endpoint data \
     processing, load balancer capacity units), requests and invocations, and storage that \
     grows with use (logs, S3, ECR images, backups and snapshots, metrics)";

/// The fixed monthly costs the app creates, summed per item, on standard error.
pub fn costs(assembly: &Assembly) {
    for line in cost_lines(&assembly.costs) {
        eprintln!("{line}");
    }
}

/// The lines of the cost report: one per item priced (summed over the constructs that create
/// it), the total, one per item left out with the reason, and what is never counted.
pub fn cost_lines(costs: &[(String, CostItem)]) -> Vec<String> {
    if costs.iter().all(|(_, c)| c.count == 0) {
        return vec![
            "fixed monthly costs: none declared by the constructs of this app".to_string(),
            format!("  never counted: {USAGE_NOT_COUNTED}"),
        ];
    }
    let mut counted: IndexMap<&str, (u32, f64)> = IndexMap::new();
    let mut left_out: IndexMap<(&str, &str), u32> = IndexMap::new();
    for (_, c) in costs.iter().filter(|(_, c)| c.count > 0) {
        match &c.price {
            Price::UsdPerMonth(usd) => {
                let e = counted.entry(c.item.as_str()).or_insert((0, 0.0));
                e.0 += c.count;
                e.1 += usd * f64::from(c.count);
            }
            Price::NotCounted(reason) => {
                *left_out
                    .entry((c.item.as_str(), reason.as_str()))
                    .or_insert(0) += c.count;
            }
        }
    }
    let mut lines = vec![
        "fixed monthly costs (estimate from us-east-1 on-demand list prices, dated and sourced \
         in rcdk-constructs/src/pricing/):"
            .to_string(),
    ];
    let mut sum = 0.0;
    for (item, (count, usd)) in &counted {
        lines.push(format!("  {count} x {item} ~ {} USD/month", dollars(*usd)));
        sum += usd;
    }
    lines.push(format!("  total ~ {sum:.0} USD/month before traffic"));
    for ((item, reason), count) in &left_out {
        lines.push(format!("  not counted: {count} x {item} ({reason})"));
    }
    lines.push(format!("  never counted: {USAGE_NOT_COUNTED}"));
    lines
}

/// Whole dollars, or cents below one dollar (so that a secret's 0.40 does not print as 0).
fn dollars(usd: f64) -> String {
    if usd < 1.0 {
        format!("{usd:.2}")
    } else {
        format!("{usd:.0}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(path: &str, item: CostItem) -> (String, CostItem) {
        (path.to_string(), item)
    }

    #[test]
    fn items_are_summed_across_constructs_and_the_unpriced_named() {
        let lines = cost_lines(&[
            at("S/NatA", CostItem::monthly("NAT gateway", 1, 32.85)),
            at("S/NatB", CostItem::monthly("NAT gateway", 1, 32.85)),
            at("S/Db", CostItem::monthly("RDS gp3 storage 20 GB", 2, 2.3)),
            at(
                "S/Db",
                CostItem::not_counted("RDS instance db.r7g.4xlarge", 2, "no price in the table"),
            ),
            at(
                "S/Empty",
                CostItem::monthly("EC2 instance t3.small", 0, 15.18),
            ),
            at(
                "S/Token",
                CostItem::monthly("Secrets Manager secret", 1, 0.4),
            ),
        ]);
        assert_eq!(lines[1], "  2 x NAT gateway ~ 66 USD/month");
        assert_eq!(lines[2], "  2 x RDS gp3 storage 20 GB ~ 5 USD/month");
        assert_eq!(lines[3], "  1 x Secrets Manager secret ~ 0.40 USD/month");
        // 65.70 + 4.60 + 0.40
        assert_eq!(lines[4], "  total ~ 71 USD/month before traffic");
        assert_eq!(
            lines[5],
            "  not counted: 2 x RDS instance db.r7g.4xlarge (no price in the table)"
        );
        assert!(lines[6].starts_with("  never counted: traffic"));
        assert_eq!(lines.len(), 7);
    }

    #[test]
    fn without_fixed_charges_the_report_still_says_what_it_never_counts() {
        let lines = cost_lines(&[at("S/A", CostItem::monthly("x", 0, 1.0))]);
        assert_eq!(lines.len(), 2);
        assert!(lines[0].contains("none declared"));
        assert!(lines[1].starts_with("  never counted: traffic"));
        assert_eq!(cost_lines(&[]), lines);
    }
}
