//! Fargate task sizes: exactly Fargate's cpu / memory combinations exist.

use rcdk_constructs::ecs::{is_valid_fargate_size, FargateSize};
use rcdk_constructs::fargate_size;

#[test]
fn the_valid_combinations_are_fargates() {
    let valid: Vec<(u32, u32)> = [256u32, 512, 1024, 2048, 4096, 8192, 16384]
        .iter()
        .flat_map(|&cpu| (512..=131072).step_by(512).map(move |m| (cpu, m)))
        .filter(|&(c, m)| is_valid_fargate_size(c, m))
        .collect();
    let count = |cpu: u32| valid.iter().filter(|(c, _)| *c == cpu).count();
    assert_eq!(count(256), 3); // 512, 1024, 2048
    assert_eq!(count(512), 4); // 1-4 GiB
    assert_eq!(count(1024), 7); // 2-8 GiB
    assert_eq!(count(2048), 13); // 4-16 GiB
    assert_eq!(count(4096), 23); // 8-30 GiB
    assert_eq!(count(8192), 12); // 16-60 GiB in 4 GiB steps
    assert_eq!(count(16384), 12); // 32-120 GiB in 8 GiB steps
    assert!(!is_valid_fargate_size(1024, 1024));
    assert!(!is_valid_fargate_size(3072, 8192));
    assert!(!is_valid_fargate_size(8192, 17408));
}

#[test]
fn sizes_are_built_at_compile_time() {
    const SIZE: FargateSize = FargateSize::new::<1024, 3072>();
    assert_eq!((SIZE.cpu(), SIZE.memory()), (1024, 3072));
    let size = fargate_size!(16384, 122880);
    assert_eq!((size.cpu(), size.memory()), (16384, 122880));
    assert_eq!(FargateSize::SMALLEST, fargate_size!(256, 512));
    assert_eq!(
        FargateSize::try_new(2048, 5120).unwrap(),
        fargate_size!(2048, 5120)
    );
}
