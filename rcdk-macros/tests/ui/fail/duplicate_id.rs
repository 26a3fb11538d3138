use rcdk_core::RawResource;
use rcdk_macros::Construct;

#[derive(Construct)]
struct Service {
    queue: RawResource,
    #[construct(id = "Queue")]
    jobs: RawResource,
    dead_letters: RawResource,
    #[construct(id = "DeadLetters")]
    other: RawResource,
}

fn main() {}
