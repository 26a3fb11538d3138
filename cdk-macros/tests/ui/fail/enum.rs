use cdk_core::RawResource;
use cdk_macros::Construct;

#[derive(Construct)]
enum Storage {
    Queue(RawResource),
    Topic(RawResource),
}

fn main() {}
