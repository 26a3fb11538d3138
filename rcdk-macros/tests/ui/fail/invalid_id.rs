use rcdk_core::RawResource;
use rcdk_macros::Construct;

#[derive(Construct)]
struct Service {
    #[construct(id = "Jobs/Queue")]
    jobs: RawResource,
    #[construct(id = "")]
    topic: RawResource,
    #[construct(id = "dead letters")]
    dead_letters: RawResource,
}

fn main() {}
