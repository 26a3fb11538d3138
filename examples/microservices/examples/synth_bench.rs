//! Synth benchmark: builds and synthesizes the microservices app N times in-process and prints
//! the median wall time per synth (construct building + template rendering, excluding process
//! start and file writes), the resource count per stack, and the process's peak RSS.
//!
//! `cargo run --release -p microservices --example synth_bench -- SERVICES [RUNS]`
//!
//! `synth_bench --cli SERVICES COMMAND...` instead runs the app's command line (e.g. `synth
//! --output DIR`) once with SERVICES services, to time the whole command from outside and to
//! lint the templates of the 40-service app.

use std::time::{Duration, Instant};

fn main() -> std::process::ExitCode {
    let mut args = std::env::args().skip(1).peekable();
    if args.next_if(|a| a == "--cli").is_some() {
        let services: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(2);
        return match microservices::build_app(services) {
            Ok(app) => app.run_args(std::iter::once("synth_bench".to_string()).chain(args), None),
            Err(e) => {
                eprintln!("error: {e}");
                std::process::ExitCode::FAILURE
            }
        };
    }
    let services: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(2);
    let runs: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(50);
    let mut times: Vec<Duration> = Vec::with_capacity(runs);
    let mut counts = Vec::new();
    for _ in 0..runs.max(1) {
        let start = Instant::now();
        let assembly = match microservices::build_app(services).map(|mut app| app.synth()) {
            Ok(Ok(assembly)) => assembly,
            Ok(Err(e)) => {
                eprintln!("synthesis failed: {e:?}");
                return std::process::ExitCode::FAILURE;
            }
            Err(e) => {
                eprintln!("error: {e}");
                return std::process::ExitCode::FAILURE;
            }
        };
        // Render every template to text as `synth` does before writing it.
        let bytes: usize = assembly
            .stacks
            .iter()
            .map(|s| s.template_json().to_string().len())
            .sum();
        times.push(start.elapsed());
        std::hint::black_box(bytes);
        counts = assembly
            .stacks
            .iter()
            .map(|s| {
                let t = s.template_json();
                let n = t["Resources"].as_object().map_or(0, |r| r.len());
                format!("{}={n}", s.id)
            })
            .collect();
    }
    times.sort();
    let median = times[times.len() / 2];
    println!(
        "services={services} runs={} median_ms={:.3} min_ms={:.3} max_ms={:.3} resources: {} peak_rss_mb={:.1}",
        times.len(),
        median.as_secs_f64() * 1e3,
        times[0].as_secs_f64() * 1e3,
        times[times.len() - 1].as_secs_f64() * 1e3,
        counts.join(" "),
        peak_rss_kib() as f64 / 1024.0
    );
    std::process::ExitCode::SUCCESS
}

/// Peak resident set size of this process (`VmHWM` of /proc/self/status, Linux), in KiB; 0
/// where that file does not exist.
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
