// 256 CPU units take 512, 1024 or 2048 MiB: 4096 does not exist on Fargate.
fn main() {
    let _size = rcdk_constructs::fargate_size!(256, 4096);
}
