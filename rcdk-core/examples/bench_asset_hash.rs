//! Benchmark: the content hash of a 100 MB directory asset, and staging it into an output
//! directory (a first synthesis copies it, the next one links the previous copy).
//!
//! Run with `cargo run --release -p rcdk-core --example bench_asset_hash [ITERATIONS]` (and
//! without `--release` for what a user's `cargo run` costs). The directory holds 400 files of
//! 250 KiB of pseudo-random bytes in 20 subdirectories, written to a temporary directory once.

use std::time::{Duration, Instant};

use rcdk_core::asset::FileAsset;
use rcdk_core::{App, RawResource, Stack};

const FILES: usize = 400;
const FILE_SIZE: usize = 250 * 1024;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() {
    let iterations: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(5);
    let dir = std::env::temp_dir().join(format!("rcdk-bench-asset-{}", std::process::id()));
    let src = dir.join("src");
    // xorshift: incompressible, reproducible content without a dependency.
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    for i in 0..FILES {
        let sub = src.join(format!("d{:02}", i % 20));
        std::fs::create_dir_all(&sub).unwrap();
        let mut bytes = Vec::with_capacity(FILE_SIZE);
        while bytes.len() < FILE_SIZE {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            bytes.extend_from_slice(&state.to_le_bytes());
        }
        std::fs::write(sub.join(format!("f{i:04}.bin")), &bytes).unwrap();
    }
    let total_mb = (FILES * FILE_SIZE) as f64 / 1e6;

    let mut hash_times = Vec::new();
    let mut hash = String::new();
    for _ in 0..iterations {
        let start = Instant::now();
        let asset = FileAsset::from_path(&src).unwrap();
        hash_times.push(start.elapsed());
        hash = asset.hash().to_string();
    }

    let out = dir.join("cdk.out");
    let synth = || {
        let asset = FileAsset::from_path(&src).unwrap();
        let start = Instant::now();
        App::new()
            .with(
                Stack::new("Bench")
                    .with("Files", asset)
                    .with("Queue", RawResource::new("AWS::SQS::Queue")),
            )
            .synth()
            .unwrap()
            .write(&out)
            .unwrap();
        start.elapsed()
    };
    let first_write = synth();
    let reuse = median((0..iterations).map(|_| synth()).collect());

    let fastest = hash_times.iter().min().copied().unwrap_or_default();
    let med = median(hash_times);
    println!("asset: {FILES} files, {total_mb:.1} MB, hash {hash}");
    println!(
        "hash: median {:.3} s, min {:.3} s ({:.0} MB/s)",
        med.as_secs_f64(),
        fastest.as_secs_f64(),
        total_mb / med.as_secs_f64()
    );
    println!(
        "synth+write, first (copies the asset): {:.3} s",
        first_write.as_secs_f64()
    );
    println!(
        "synth+write, again (links the staged copy): median {:.3} s",
        reuse.as_secs_f64()
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
