//! Benchmark: synthesis of an app with 500 raw resources that reference each other.
//!
//! Run with `cargo run --release -p rcdk-core --example bench_synth [ITERATIONS]`. Prints the
//! median and minimum time of building the app, of synthesis in JSON and in YAML (in process),
//! and of the whole `synth` command writing the output directory, then the process's peak
//! resident memory (`VmHWM` from `/proc/self/status`, Linux).

use std::time::{Duration, Instant};

use rcdk_core::{fns, App, Format, RawResource, Stack, SynthOptions, Value};

const RESOURCES: usize = 500;

/// One stack: a chain of 499 queues, each using the previous one as its dead-letter queue (a
/// `Fn::GetAtt`) and naming it in a tag (a `Fn::Sub` with a `Ref`), and one SSM parameter that
/// joins the `Ref` of every queue (fan-in).
fn build() -> App {
    let mut queues: Vec<RawResource> = Vec::with_capacity(RESOURCES - 1);
    for _ in 0..RESOURCES - 1 {
        let mut q = RawResource::new("AWS::SQS::Queue")
            .prop("SqsManagedSseEnabled", true)
            .prop("MessageRetentionPeriod", 345_600);
        if let Some(previous) = queues.last() {
            let redrive: Value = Value::Map(
                [
                    (
                        "deadLetterTargetArn".to_string(),
                        previous.get_att::<String>("Arn").into(),
                    ),
                    ("maxReceiveCount".to_string(), Value::from(3)),
                ]
                .into_iter()
                .collect(),
            );
            q = q.prop("RedrivePolicy", redrive).prop(
                "Tags",
                vec![Value::Map(
                    [
                        ("Key".to_string(), Value::str("Previous")),
                        (
                            "Value".to_string(),
                            fns::sub(
                                "${Url}-${AWS::Region}",
                                [("Url", previous.ref_::<String>())],
                            )
                            .into(),
                        ),
                    ]
                    .into_iter()
                    .collect(),
                )],
            );
        }
        queues.push(q);
    }
    let all = fns::join(
        ",",
        queues
            .iter()
            .map(|q| q.ref_::<String>())
            .collect::<Vec<_>>(),
    );
    let index = RawResource::new("AWS::SSM::Parameter")
        .prop("Type", "String")
        .prop("Value", all);
    let mut stack = Stack::new("Bench");
    for (i, q) in queues.into_iter().enumerate() {
        stack.add(format!("Queue{i}"), q);
    }
    stack.add("Index", index);
    App::new().with(stack)
}

fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn median_and_min(mut samples: Vec<Duration>) -> (Duration, Duration) {
    samples.sort();
    (samples[samples.len() / 2], samples[0])
}

fn report(name: &str, samples: Vec<Duration>) {
    let n = samples.len();
    let (median, min) = median_and_min(samples);
    println!(
        "{name:<40} median {:>8.2} ms   min {:>8.2} ms   ({n} runs)",
        median.as_secs_f64() * 1e3,
        min.as_secs_f64() * 1e3
    );
}

fn main() {
    let iterations: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(30);
    let before = peak_rss_kib();

    let mut build_t = Vec::new();
    let mut json_t = Vec::new();
    let mut yaml_t = Vec::new();
    let mut command_t = Vec::new();
    let mut bytes = (0, 0);
    let out = std::env::temp_dir().join(format!("cdk-bench-synth-{}", std::process::id()));
    for _ in 0..iterations {
        let start = Instant::now();
        let mut app = build();
        build_t.push(start.elapsed());

        let start = Instant::now();
        let json = app.synth().expect("the benchmark app synthesizes");
        json_t.push(start.elapsed());
        assert_eq!(
            json.stacks[0].template_json()["Resources"]
                .as_object()
                .map(|r| r.len()),
            Some(RESOURCES)
        );

        let start = Instant::now();
        let yaml = app
            .synth_with(&SynthOptions {
                format: Format::Yaml,
                strict: false,
            })
            .expect("the benchmark app synthesizes");
        yaml_t.push(start.elapsed());
        bytes = (json.stacks[0].text.len(), yaml.stacks[0].text.len());

        // The whole command: argument parsing, synthesis, validation and the atomic write.
        let app = build();
        let start = Instant::now();
        let code = app.run_args(
            [
                "bench",
                "synth",
                "--quiet",
                "--output",
                out.to_str().unwrap_or("cdk.out"),
            ],
            None,
        );
        command_t.push(start.elapsed());
        assert_eq!(code, std::process::ExitCode::SUCCESS);
    }
    let _ = std::fs::remove_dir_all(&out);

    println!(
        "app: 1 stack, {RESOURCES} raw resources (a GetAtt chain with a Sub/Ref tag each, plus a fan-in Join of {} Refs)",
        RESOURCES - 1
    );
    println!(
        "template size: JSON {} bytes, YAML {} bytes",
        bytes.0, bytes.1
    );
    report("build the app", build_t);
    report("synth JSON (in process)", json_t);
    report("synth YAML (in process)", yaml_t);
    report("`synth` command, writing cdk.out", command_t);
    match (before, peak_rss_kib()) {
        (Some(b), Some(a)) => println!("peak resident memory: {a} KiB (at start: {b} KiB)"),
        _ => println!("peak resident memory: unavailable (no /proc/self/status)"),
    }
}
