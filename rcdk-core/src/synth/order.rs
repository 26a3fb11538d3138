//! Deployment order of stacks and cycle reporting.

use std::collections::BTreeMap;

use crate::error::SynthError;
use crate::synth::render::Dependency;

/// Orders stacks so that each comes after the ones it depends on (`deps[i]` lists the stacks
/// `i` depends on); ties keep the app's order. On a cycle, returns the stacks on it.
pub fn deployment_order(deps: &[Vec<usize>]) -> Result<Vec<usize>, Vec<usize>> {
    let n = deps.len();
    let mut done = vec![false; n];
    let mut order = Vec::with_capacity(n);
    while order.len() < n {
        let next = (0..n).find(|&i| !done[i] && deps[i].iter().all(|&d| done[d]));
        match next {
            Some(i) => {
                done[i] = true;
                order.push(i);
            }
            None => return Err(find_cycle(deps, &done)),
        }
    }
    Ok(order)
}

fn find_cycle(deps: &[Vec<usize>], done: &[bool]) -> Vec<usize> {
    // Every remaining stack has an undone dependency: following them must loop.
    let mut path = Vec::new();
    let mut cur = (0..deps.len()).find(|&i| !done[i]).unwrap_or(0);
    loop {
        if let Some(pos) = path.iter().position(|&x| x == cur) {
            return path[pos..].to_vec();
        }
        path.push(cur);
        match deps[cur].iter().find(|&&d| !done[d]) {
            Some(&d) => cur = d,
            None => return path,
        }
    }
}

/// The error for a dependency cycle, naming the stacks and the references that caused it.
pub fn cycle_error(
    cycle: &[usize],
    ids: &[String],
    reasons: &BTreeMap<(usize, usize), Dependency>,
) -> SynthError {
    let mut steps = Vec::new();
    for (k, &a) in cycle.iter().enumerate() {
        let b = cycle[(k + 1) % cycle.len()];
        match reasons.get(&(a, b)) {
            Some(d) => steps.push(format!(
                "stack '{}' depends on '{}' because {} references {}",
                ids[a], ids[b], d.from_path, d.to_path
            )),
            None => steps.push(format!(
                "stack '{}' depends on '{}' (declared)",
                ids[a], ids[b]
            )),
        }
    }
    SynthError::new(ids[cycle[0]].clone(), format!("stacks depend on each other: {}", steps.join("; ")))
        .hint("move one of the referenced resources into the other stack, or pass the value through a parameter")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orders_dependencies_first() {
        assert_eq!(
            deployment_order(&[vec![1], vec![], vec![0]]).unwrap(),
            vec![1, 0, 2]
        );
    }

    #[test]
    fn finds_cycles() {
        let cycle = deployment_order(&[vec![1], vec![2], vec![0], vec![]]).unwrap_err();
        assert_eq!(cycle.len(), 3);
    }
}
