//! Fargate task sizes: a [`FargateSize`] can only hold one of the cpu / memory pairs Fargate
//! accepts, checked during compilation for [`FargateSize::new`] and
//! [`fargate_size!`](crate::fargate_size), or at run time with [`FargateSize::try_new`].

use crate::error::ConstructError;

/// Whether Fargate (Linux, platform 1.4.0) accepts `cpu` units with `memory` MiB.
pub const fn is_valid_fargate_size(cpu: u32, memory: u32) -> bool {
    let (min, max, step) = match cpu {
        256 => {
            return memory == 512 || memory == 1024 || memory == 2048;
        }
        512 => (1024, 4096, 1024),
        1024 => (2048, 8192, 1024),
        2048 => (4096, 16384, 1024),
        4096 => (8192, 30720, 1024),
        8192 => (16384, 61440, 4096),
        16384 => (32768, 122880, 8192),
        _ => return false,
    };
    memory >= min && memory <= max && (memory - min) % step == 0
}

/// The message a bad pair produces, at compile time or run time.
pub const FARGATE_SIZE_HELP: &str = crate::error::FARGATE_SIZE_HELP;

/// A valid Fargate task size (cpu units, memory in MiB).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FargateSize {
    cpu: u32,
    memory: u32,
}

impl FargateSize {
    /// The size `CPU` units / `MEMORY` MiB; an invalid pair fails to compile:
    /// `FargateSize::new::<1024, 3072>()`. Being generic, the check runs when the call is
    /// compiled to code (`cargo build`, `cargo test`), not under `cargo check`; the
    /// [`fargate_size!`](crate::fargate_size) macro fails under `cargo check` too.
    pub const fn new<const CPU: u32, const MEMORY: u32>() -> FargateSize {
        const {
            assert!(is_valid_fargate_size(CPU, MEMORY), "{}", FARGATE_SIZE_HELP);
        }
        FargateSize {
            cpu: CPU,
            memory: MEMORY,
        }
    }

    /// Checks a pair at run time (sizes read from configuration).
    pub fn try_new(cpu: u32, memory: u32) -> Result<FargateSize, ConstructError> {
        if is_valid_fargate_size(cpu, memory) {
            Ok(FargateSize { cpu, memory })
        } else {
            Err(ConstructError::InvalidFargateSize { cpu, memory })
        }
    }

    /// Used by [`fargate_size!`](crate::fargate_size) after its compile-time check.
    #[doc(hidden)]
    pub const fn from_checked(cpu: u32, memory: u32) -> FargateSize {
        FargateSize { cpu, memory }
    }

    /// The smallest size, 0.25 vCPU and 512 MiB.
    pub const SMALLEST: FargateSize = FargateSize::new::<256, 512>();

    /// CPU units (1024 = one vCPU).
    pub fn cpu(self) -> u32 {
        self.cpu
    }

    /// Memory in MiB.
    pub fn memory(self) -> u32 {
        self.memory
    }
}

/// A Fargate size checked during compilation: `fargate_size!(1024, 3072)`.
#[macro_export]
macro_rules! fargate_size {
    ($cpu:expr, $memory:expr) => {{
        // A const item: evaluated by `cargo check` as well as by `cargo build`.
        const FARGATE_SIZE: $crate::ecs::FargateSize =
            if $crate::ecs::is_valid_fargate_size($cpu, $memory) {
                $crate::ecs::FargateSize::from_checked($cpu, $memory)
            } else {
                ::core::panic!("{}", $crate::ecs::FARGATE_SIZE_HELP)
            };
        FARGATE_SIZE
    }};
}
