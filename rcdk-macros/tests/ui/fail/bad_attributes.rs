use rcdk_core::RawResource;
use rcdk_macros::Construct;

#[derive(Construct)]
#[construct(id = "Service")]
struct Service {
    #[construct(skip, id = "Port")]
    port: u16,
    #[construct(name = "Queue")]
    queue: RawResource,
    #[construct(type_name = "Queue")]
    topic: RawResource,
}

#[derive(Construct)]
struct Pair(RawResource, #[construct(id = "Second")] RawResource);



#[derive(Construct)]
#[construct(costs = "not a path!", validate = "Self::check", type_name = "")]
struct Costly {
    queue: RawResource,
}
fn main() {}
