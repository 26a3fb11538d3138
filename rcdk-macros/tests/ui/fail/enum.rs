use rcdk_core::RawResource;
use rcdk_macros::Construct;

#[derive(Construct)]
enum Storage {
    Queue(RawResource),
    Topic(RawResource),
}

fn main() {}
