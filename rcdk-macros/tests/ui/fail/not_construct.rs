use rcdk_core::RawResource;
use rcdk_macros::Construct;

#[derive(Construct)]
struct Service {
    queue: RawResource,
    port: u16,
    names: Vec<String>,
}

fn main() {}
