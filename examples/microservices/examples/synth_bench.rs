//! Synth benchmark: builds and synthesizes the microservices app RUNS times in-process and
//! prints the median wall time per synth (building the constructs, synthesis and rendering
//! the templates' text; not process start, not file writes), the resources per stack and the
//! process's peak RSS.
//!
//! `cargo run --release -p microservices --example synth_bench -- SERVICES [RUNS]`
//!
//! `synth_bench --cli SERVICES COMMAND...` runs the app's command line (e.g. `synth --output
//! DIR`) once with SERVICES services instead: to time the whole command from outside and to
//! lint the templates of the 40-service app.

use std::process::ExitCode;
use std::time::{Duration, Instant};

use rcdk::core::Assembly;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1).peekable();
    let cli = args.next_if(|a| a == "--cli").is_some();
    let services: usize = match args.next().map(|a| a.parse()) {
        Some(Ok(n)) => n,
        _ => {
            eprintln!("usage: synth_bench SERVICES [RUNS] | synth_bench --cli SERVICES COMMAND...");
            return ExitCode::from(2);
        }
    };
    if cli {
        return match microservices::build_app(services) {
            Ok(app) => rcdk::run_args(app, std::iter::once("synth_bench".to_string()).chain(args)),
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::FAILURE
            }
        };
    }
    let runs: usize = args
        .next()
        .and_then(|a| a.parse().ok())
        .unwrap_or(50)
        .max(1);
    let mut times: Vec<Duration> = Vec::with_capacity(runs);
    let mut last: Option<Assembly> = None;
    for _ in 0..runs {
        // Only one assembly alive at a time, so that the peak RSS is that of one synth.
        drop(last.take());
        let start = Instant::now();
        let assembly = match microservices::build_app(services).map(|mut app| app.synth()) {
            Ok(Ok(assembly)) => assembly,
            Ok(Err(e)) => {
                eprintln!("synthesis failed: {e:?}");
                return ExitCode::FAILURE;
            }
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::FAILURE;
            }
        };
        times.push(start.elapsed());
        last = Some(std::hint::black_box(assembly));
    }
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let counts: Vec<String> = last
        .iter()
        .flat_map(|a| &a.stacks)
        .map(|s| {
            let n = s.template_json()["Resources"]
                .as_object()
                .map_or(0, |r| r.len());
            format!("{}={n}", s.id)
        })
        .collect();
    println!(
        "services={services} runs={runs} median_ms={:.3} min_ms={:.3} max_ms={:.3} \
         peak_rss_mib={:.1} resources: {}",
        ms(times[times.len() / 2]),
        ms(times[0]),
        ms(times[times.len() - 1]),
        peak_rss_kib() as f64 / 1024.0,
        counts.join(" ")
    );
    ExitCode::SUCCESS
}

/// Peak resident set size of this process in KiB (`VmHWM` in /proc/self/status, Linux; 0
/// elsewhere).
fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}
