//! Listener rule priorities: explicit ones are kept, the others are allocated deterministically
//! from the rules' conditions (most specific first), whatever the order in which routes are
//! added. Two rules with one priority, or with the same conditions, are an error.

use std::cmp::Reverse;

use crate::error::ConstructError;

/// Lowest and highest priority ELBv2 accepts.
pub const PRIORITY_RANGE: std::ops::RangeInclusive<u16> = 1..=50000;

/// Gap between allocated priorities, leaving room for explicit ones in between.
pub const PRIORITY_STEP: u16 = 10;

#[derive(Debug, Clone)]
struct Entry {
    name: String,
    explicit: Option<u16>,
    /// Text of the conditions, unique per listener.
    conditions: String,
    /// Number of condition values and length of their literal prefixes: more specific first.
    specificity: (usize, usize),
}

/// The priorities of one listener's rules.
#[derive(Debug, Clone, Default)]
pub struct PriorityAllocator {
    entries: Vec<Entry>,
}

/// Length of a pattern before its first wildcard.
fn literal_prefix(pattern: &str) -> usize {
    pattern.find(['*', '?']).unwrap_or(pattern.len())
}

impl PriorityAllocator {
    /// No rules yet.
    pub fn new() -> PriorityAllocator {
        PriorityAllocator::default()
    }

    /// Registers a rule named `name` (for messages) matching `hosts` and `paths`, with an
    /// explicit priority or none. Returns its index for [`PriorityAllocator::priority_of`].
    pub fn register(
        &mut self,
        name: &str,
        hosts: &[String],
        paths: &[String],
        explicit: Option<u16>,
    ) -> Result<usize, ConstructError> {
        if let Some(p) = explicit {
            if !PRIORITY_RANGE.contains(&p) {
                return Err(ConstructError::ListenerPriorityOutOfRange {
                    rule: name.to_string(),
                    priority: p,
                });
            }
            if let Some(other) = self.entries.iter().find(|e| e.explicit == Some(p)) {
                return Err(ConstructError::ListenerPriorityClash {
                    priority: p,
                    first: other.name.clone(),
                    second: name.to_string(),
                });
            }
        }
        if hosts.is_empty() && paths.is_empty() {
            return Err(ConstructError::EmptyRoute {
                rule: name.to_string(),
            });
        }
        let mut hosts_sorted = hosts.to_vec();
        hosts_sorted.sort();
        let mut paths_sorted = paths.to_vec();
        paths_sorted.sort();
        let conditions = format!("host={hosts_sorted:?} path={paths_sorted:?}");
        if let Some(other) = self.entries.iter().find(|e| e.conditions == conditions) {
            return Err(ConstructError::DuplicateRoute {
                conditions,
                first: other.name.clone(),
                second: name.to_string(),
            });
        }
        let prefix = hosts
            .iter()
            .chain(paths)
            .map(|p| literal_prefix(p))
            .min()
            .unwrap_or(0);
        let count = usize::from(!hosts.is_empty()) + usize::from(!paths.is_empty());
        self.entries.push(Entry {
            name: name.to_string(),
            explicit,
            conditions,
            specificity: (count, prefix),
        });
        let index = self.entries.len() - 1;
        // Fail now, not at synthesis, if the listener has run out of priorities.
        self.allocate()?;
        Ok(index)
    }

    /// Priorities of all rules, by index.
    pub fn allocate(&self) -> Result<Vec<u16>, ConstructError> {
        let mut result: Vec<u16> = self
            .entries
            .iter()
            .map(|e| e.explicit.unwrap_or(0))
            .collect();
        let taken: Vec<u16> = self.entries.iter().filter_map(|e| e.explicit).collect();
        let mut auto: Vec<usize> = (0..self.entries.len())
            .filter(|&i| self.entries[i].explicit.is_none())
            .collect();
        auto.sort_by_key(|&i| {
            let e = &self.entries[i];
            (
                Reverse(e.specificity.0),
                Reverse(e.specificity.1),
                e.conditions.clone(),
            )
        });
        let mut next = PRIORITY_STEP;
        for i in auto {
            while taken.contains(&next) {
                next += PRIORITY_STEP;
            }
            if !PRIORITY_RANGE.contains(&next) {
                return Err(ConstructError::ListenerPriorityOutOfRange {
                    rule: self.entries[i].name.clone(),
                    priority: next,
                });
            }
            result[i] = next;
            next += PRIORITY_STEP;
        }
        Ok(result)
    }

    /// The priority of rule `index`.
    pub fn priority_of(&self, index: usize) -> Result<u16, ConstructError> {
        Ok(self.allocate()?[index])
    }
}
