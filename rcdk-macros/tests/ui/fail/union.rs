use rcdk_macros::Construct;

#[derive(Construct)]
union Bits {
    a: u32,
    b: f32,
}

fn main() {}
