use cdk_core::RawResource;
use cdk_macros::Construct;

#[derive(Construct)]
struct Service {
    queue: RawResource,
    port: u16,
    names: Vec<String>,
}

fn main() {}
