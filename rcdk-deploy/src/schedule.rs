//! Running one job per stack in dependency order, several stacks at a time (`--concurrency`).
//!
//! A stack's job starts only once the jobs of every stack it waits for have succeeded; at most
//! `concurrency` jobs run at once. A failed job stops the stacks that wait for it (directly or
//! through others), which are skipped without starting, while independent stacks go on. The jobs
//! are polled together in the caller's task, so they may borrow the deployer and need not be
//! `Send`.

use std::collections::HashMap;
use std::future::Future;
use std::time::{Duration, Instant};

use futures_util::stream::{FuturesUnordered, StreamExt};

use crate::assembly::{Manifest, StackEntry};
use crate::errors::{Error, Result};

/// Which way the wait goes along the manifest's dependencies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Direction {
    /// A stack waits for the stacks it depends on (deploy).
    DependenciesFirst,
    /// A stack waits for the stacks that depend on it (destroy).
    DependentsFirst,
}

/// When one stack's job ran, counted from the start of the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StackTiming {
    /// When the job started.
    pub started: Duration,
    /// When the job ended.
    pub finished: Duration,
}

/// How one stack fared in a run over several stacks.
#[derive(Debug)]
pub(crate) enum StackRun<T> {
    /// The job ran and succeeded.
    Succeeded {
        /// What the job returned.
        outcome: T,
        /// When it ran.
        timing: StackTiming,
    },
    /// The job ran and failed.
    Failed {
        /// Why.
        error: Error,
        /// When it ran.
        timing: StackTiming,
    },
    /// Never started because a stack it waits for (directly or through others) failed.
    Skipped {
        /// The stack whose failure blocked this one.
        blocked_by: String,
    },
    /// Was running when Ctrl-C stopped the run; what it started on AWS keeps going.
    Interrupted,
    /// Never started because the run stopped first (Ctrl-C, or a failure when stacks run one
    /// at a time, which stops everything as it always has).
    NotStarted,
}

/// Every stack of a run and how it fared, in the order the stacks were given.
#[derive(Debug)]
pub(crate) struct RunSummary<T> {
    /// Stack name and how it fared.
    pub stacks: Vec<(String, StackRun<T>)>,
    /// Whether Ctrl-C stopped the run.
    pub interrupted: bool,
}

impl<T> RunSummary<T> {
    /// Whether some job failed.
    pub(crate) fn has_failures(&self) -> bool {
        self.stacks
            .iter()
            .any(|(_, r)| matches!(r, StackRun::Failed { .. }))
    }
}

/// For each of `chosen` (in its order), the indices of the chosen stacks it must wait for.
///
/// Dependencies are followed through the whole manifest, so a stack still waits for a chosen
/// stack it reaches only through stacks that are not chosen. A dependency cycle is an error
/// naming a stack on it.
pub(crate) fn wait_lists(
    manifest: &Manifest,
    chosen: &[&StackEntry],
    direction: Direction,
) -> Result<Vec<Vec<usize>>> {
    let by_id: HashMap<&str, &StackEntry> =
        manifest.stacks.iter().map(|s| (s.id.as_str(), s)).collect();
    // Everything each chosen stack depends on, directly or not (artifact ids).
    let mut ancestors: Vec<Vec<&str>> = Vec::with_capacity(chosen.len());
    for stack in chosen {
        let mut seen: Vec<&str> = Vec::new();
        let mut todo: Vec<&str> = stack.dependencies.iter().map(String::as_str).collect();
        while let Some(id) = todo.pop() {
            if id == stack.id {
                return Err(Error::Assembly(format!(
                    "stack {} depends on itself through its dependencies; synthesize again",
                    stack.id
                )));
            }
            if seen.contains(&id) {
                continue;
            }
            seen.push(id);
            // Other artifacts (assets) have no stack entry and order nothing.
            if let Some(dep) = by_id.get(id) {
                todo.extend(dep.dependencies.iter().map(String::as_str));
            }
        }
        ancestors.push(seen);
    }
    let depends = |a: usize, b: usize| ancestors[a].contains(&chosen[b].id.as_str());
    Ok((0..chosen.len())
        .map(|i| {
            (0..chosen.len())
                .filter(|&j| match direction {
                    Direction::DependenciesFirst => depends(i, j),
                    Direction::DependentsFirst => depends(j, i),
                })
                .collect()
        })
        .collect())
}

/// Runs `job(i)` for every stack `i` of `names`, at most `concurrency` at once (0 counts as 1),
/// each after every stack in `waits_for[i]` succeeded. Ready stacks start in the order given.
///
/// A failure skips the stacks waiting for it; with `stop_on_failure` nothing else starts
/// either. When `stop` completes (Ctrl-C), running jobs are dropped (reported
/// [`StackRun::Interrupted`]) and the rest [`StackRun::NotStarted`].
pub(crate) async fn run<T, F, Fut, S>(
    names: &[String],
    waits_for: &[Vec<usize>],
    concurrency: usize,
    stop_on_failure: bool,
    stop: S,
    mut job: F,
) -> RunSummary<T>
where
    F: FnMut(usize) -> Fut,
    Fut: Future<Output = Result<T>>,
    S: Future<Output = ()>,
{
    let n = names.len();
    let cap = concurrency.max(1);
    let start = Instant::now();
    // Who waits for whom, turned around: the stacks to release (or skip) when one ends.
    let mut waiters: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (i, list) in waits_for.iter().enumerate() {
        for &j in list {
            waiters[j].push(i);
        }
    }
    let mut pending: Vec<usize> = waits_for.iter().map(Vec::len).collect();
    let mut results: Vec<Option<StackRun<T>>> = (0..n).map(|_| None).collect();
    let mut started = vec![false; n];
    let mut stopped = false;
    let mut interrupted = false;
    let mut running = FuturesUnordered::new();
    let mut stop = std::pin::pin!(stop);
    loop {
        while !stopped && running.len() < cap {
            let Some(i) = (0..n).find(|&i| !started[i] && results[i].is_none() && pending[i] == 0)
            else {
                break;
            };
            started[i] = true;
            let work = job(i);
            running.push(async move {
                let began = start.elapsed();
                let result = work.await;
                let timing = StackTiming {
                    started: began,
                    finished: start.elapsed(),
                };
                (i, timing, result)
            });
        }
        if running.is_empty() {
            break;
        }
        let next = tokio::select! {
            next = running.next() => next,
            _ = &mut stop => {
                interrupted = true;
                break;
            }
        };
        let Some((i, timing, result)) = next else {
            break;
        };
        match result {
            Ok(outcome) => {
                results[i] = Some(StackRun::Succeeded { outcome, timing });
                for &w in &waiters[i] {
                    pending[w] -= 1;
                }
            }
            Err(error) => {
                results[i] = Some(StackRun::Failed { error, timing });
                let mut todo = waiters[i].clone();
                while let Some(w) = todo.pop() {
                    if results[w].is_none() && !started[w] {
                        results[w] = Some(StackRun::Skipped {
                            blocked_by: names[i].clone(),
                        });
                        todo.extend(waiters[w].iter().copied());
                    }
                }
                stopped |= stop_on_failure;
            }
        }
    }
    // Dropping the jobs still running abandons their waits; their operations go on on AWS.
    drop(running);
    let stacks = names
        .iter()
        .cloned()
        .zip(results.into_iter().zip(started))
        .map(|(name, (result, started))| {
            let run = match result {
                Some(run) => run,
                None if started => StackRun::Interrupted,
                None => StackRun::NotStarted,
            };
            (name, run)
        })
        .collect();
    RunSummary {
        stacks,
        interrupted,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::RefCell;
    use std::future::pending;

    fn names(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("S{i}")).collect()
    }

    /// Events in the order they happened: `+i` when job i starts, `-i` when it ends.
    #[derive(Default)]
    struct Log {
        events: RefCell<Vec<String>>,
        running: RefCell<usize>,
        most: RefCell<usize>,
    }

    impl Log {
        async fn job(&self, i: usize, ticks: u64, fail: bool) -> Result<usize> {
            self.events.borrow_mut().push(format!("+{i}"));
            *self.running.borrow_mut() += 1;
            let now = *self.running.borrow();
            let most = (*self.most.borrow()).max(now);
            *self.most.borrow_mut() = most;
            tokio::time::sleep(Duration::from_millis(10 * ticks)).await;
            *self.running.borrow_mut() -= 1;
            self.events.borrow_mut().push(format!("-{i}"));
            if fail {
                Err(Error::Usage(format!("job {i} failed")))
            } else {
                Ok(i * 10)
            }
        }

        fn position(&self, event: &str) -> usize {
            self.events
                .borrow()
                .iter()
                .position(|e| e == event)
                .unwrap_or_else(|| panic!("no event {event} in {:?}", self.events.borrow()))
        }
    }

    fn outcome<T: Copy>(run: &StackRun<T>) -> Option<T> {
        match run {
            StackRun::Succeeded { outcome, .. } => Some(*outcome),
            _ => None,
        }
    }

    #[tokio::test(start_paused = true)]
    async fn dependents_start_after_their_dependencies_end() {
        // A diamond: 1 and 2 need 0, 3 needs 1 and 2; 4 is on its own.
        let waits = vec![vec![], vec![0], vec![0], vec![1, 2], vec![]];
        let log = Log::default();
        let ticks = [3, 1, 5, 1, 1];
        let summary = run(&names(5), &waits, 4, false, pending(), |i| {
            log.job(i, ticks[i], false)
        })
        .await;
        assert!(!summary.interrupted && !summary.has_failures());
        for (i, list) in waits.iter().enumerate() {
            for dep in list {
                assert!(
                    log.position(&format!("-{dep}")) < log.position(&format!("+{i}")),
                    "{i} started before {dep} ended: {:?}",
                    log.events.borrow()
                );
                let (StackRun::Succeeded { timing: a, .. }, StackRun::Succeeded { timing: b, .. }) =
                    (&summary.stacks[*dep].1, &summary.stacks[i].1)
                else {
                    panic!("{:?}", summary.stacks);
                };
                assert!(a.finished <= b.started, "{a:?} {b:?}");
            }
        }
        // Independent stacks did overlap: 1 and 2 ran together, 4 alongside 0.
        assert!(
            log.position("+2") < log.position("-1"),
            "{:?}",
            log.events.borrow()
        );
        assert!(
            log.position("+4") < log.position("-0"),
            "{:?}",
            log.events.borrow()
        );
        let outcomes: Vec<_> = summary.stacks.iter().map(|(_, r)| outcome(r)).collect();
        assert_eq!(outcomes, [Some(0), Some(10), Some(20), Some(30), Some(40)]);
    }

    #[tokio::test(start_paused = true)]
    async fn never_more_than_the_concurrency_at_once() {
        let waits = vec![vec![]; 10];
        for (cap, expected_most) in [(1, 1), (3, 3), (8, 8), (20, 10)] {
            let log = Log::default();
            let summary = run(&names(10), &waits, cap, false, pending(), |i| {
                log.job(i, 1 + (i as u64 % 3), false)
            })
            .await;
            assert!(!summary.has_failures());
            assert_eq!(*log.most.borrow(), expected_most, "concurrency {cap}");
        }
        // One at a time keeps the order given.
        let log = Log::default();
        run(&names(4), &waits[..4], 1, true, pending(), |i| {
            log.job(i, 1, false)
        })
        .await;
        assert_eq!(
            *log.events.borrow(),
            ["+0", "-0", "+1", "-1", "+2", "-2", "+3", "-3"]
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_failure_skips_its_dependents_only() {
        // 0 fails; 1 needs 0, 2 needs 1 (skipped through 1); 3 and 4 are independent, 4
        // needs 3.
        let waits = vec![vec![], vec![0], vec![1], vec![], vec![3]];
        let log = Log::default();
        let summary = run(&names(5), &waits, 2, false, pending(), |i| {
            log.job(i, 1 + i as u64, i == 0)
        })
        .await;
        assert!(summary.has_failures());
        let (_, failed) = &summary.stacks[0];
        assert!(
            matches!(failed, StackRun::Failed { error, .. } if error.to_string() == "job 0 failed"),
            "{failed:?}"
        );
        for i in [1, 2] {
            assert!(
                matches!(&summary.stacks[i].1, StackRun::Skipped { blocked_by } if blocked_by == "S0"),
                "{:?}",
                summary.stacks[i]
            );
            assert!(!log.events.borrow().contains(&format!("+{i}")));
        }
        assert_eq!(outcome(&summary.stacks[3].1), Some(30));
        assert_eq!(outcome(&summary.stacks[4].1), Some(40));
    }

    #[tokio::test(start_paused = true)]
    async fn one_at_a_time_stops_at_the_first_failure() {
        let waits = vec![vec![]; 3];
        let log = Log::default();
        let summary = run(&names(3), &waits, 1, true, pending(), |i| {
            log.job(i, 1, i == 1)
        })
        .await;
        assert!(outcome(&summary.stacks[0].1).is_some());
        assert!(matches!(summary.stacks[1].1, StackRun::Failed { .. }));
        assert!(matches!(summary.stacks[2].1, StackRun::NotStarted));
        assert_eq!(*log.events.borrow(), ["+0", "-0", "+1", "-1"]);
    }

    #[tokio::test(start_paused = true)]
    async fn stopping_interrupts_running_jobs_and_starts_no_more() {
        let waits = vec![vec![], vec![], vec![0]];
        let log = Log::default();
        let stop = tokio::time::sleep(Duration::from_millis(15));
        let summary = run(&names(3), &waits, 2, false, stop, |i| {
            log.job(i, if i == 0 { 1 } else { 10 }, false)
        })
        .await;
        assert!(summary.interrupted);
        assert!(outcome(&summary.stacks[0].1).is_some());
        // 2 started when 0 ended (at 10 ms) and was still running at 15 ms, as was 1.
        assert!(matches!(summary.stacks[1].1, StackRun::Interrupted));
        assert!(matches!(summary.stacks[2].1, StackRun::Interrupted));
        let log = Log::default();
        let stop = tokio::time::sleep(Duration::from_millis(15));
        let summary = run(&names(3), &waits, 1, true, stop, |i| log.job(i, 10, false)).await;
        assert!(summary.interrupted);
        assert!(matches!(summary.stacks[0].1, StackRun::Interrupted));
        assert!(matches!(summary.stacks[1].1, StackRun::NotStarted));
        assert!(matches!(summary.stacks[2].1, StackRun::NotStarted));
    }

    fn entry(id: &str, deps: &[&str]) -> StackEntry {
        StackEntry {
            id: id.to_string(),
            stack_name: format!("test-{id}"),
            template_file: format!("{id}.template.json"),
            template_size: 0,
            dependencies: deps.iter().map(|d| d.to_string()).collect(),
            tags: Default::default(),
            termination_protection: false,
            has_transform: false,
            stateful_resources: Vec::new(),
            environment: Default::default(),
            bootstrap_parameter: None,
            requires_bootstrap_version: None,
            cross_environment: Vec::new(),
        }
    }

    #[test]
    fn waits_follow_dependencies_through_unchosen_stacks_and_turn_for_destroy() {
        let manifest = Manifest {
            stacks: vec![
                entry("Net", &[]),
                entry("Db", &["Net", "Net.assets"]),
                entry("Api", &["Db"]),
                entry("Web", &[]),
            ],
        };
        let chosen: Vec<&StackEntry> = [0, 2, 3].iter().map(|&i| &manifest.stacks[i]).collect();
        // Api reaches Net through Db, which is not chosen.
        let forward = wait_lists(&manifest, &chosen, Direction::DependenciesFirst).unwrap();
        assert_eq!(forward, [vec![], vec![0], vec![]]);
        let backward = wait_lists(&manifest, &chosen, Direction::DependentsFirst).unwrap();
        assert_eq!(backward, [vec![1], vec![], vec![]]);
    }

    #[tokio::test(start_paused = true)]
    async fn destroy_order_removes_dependents_first() {
        let manifest = Manifest {
            stacks: vec![
                entry("Net", &[]),
                entry("Db", &["Net"]),
                entry("Api", &["Db", "Net"]),
                entry("Cache", &["Net"]),
            ],
        };
        // Destroy hands the stacks over in reverse manifest order.
        let chosen: Vec<&StackEntry> = manifest.stacks.iter().rev().collect();
        let waits = wait_lists(&manifest, &chosen, Direction::DependentsFirst).unwrap();
        let names: Vec<String> = chosen.iter().map(|s| s.id.clone()).collect();
        let log = Log::default();
        let summary = run(&names, &waits, 4, false, pending(), |i| {
            log.job(i, 1 + i as u64, false)
        })
        .await;
        assert!(!summary.has_failures());
        // Indices: 0 Cache, 1 Api, 2 Db, 3 Net.
        assert!(log.position("-1") < log.position("+2"));
        for i in 0..3 {
            assert!(log.position(&format!("-{i}")) < log.position("+3"));
        }
        assert!(
            log.position("+0") < log.position("-1"),
            "Cache and Api overlap"
        );
    }

    #[test]
    fn a_cycle_is_an_error_naming_a_stack() {
        let manifest = Manifest {
            stacks: vec![entry("A", &["B"]), entry("B", &["A"])],
        };
        let chosen: Vec<&StackEntry> = manifest.stacks.iter().collect();
        let e = wait_lists(&manifest, &chosen, Direction::DependenciesFirst).unwrap_err();
        assert!(e.to_string().contains("stack A depends on itself"), "{e}");
    }
}
