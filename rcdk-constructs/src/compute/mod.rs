//! EC2 compute: [`LaunchTemplate`] (IMDSv2 only, encrypted gp3 root volume, no key pair, Session
//! Manager permissions in its instance role, the AMI resolved by CloudFormation from SSM) and
//! [`AutoScalingGroup`] (private subnets, rolling updates, load-balancer health checks once
//! routed to, CPU target tracking), with typed [`InstanceType`]s, [`Gp3Volume`]s and
//! [`UserData`].
//!
//! ```
//! use rcdk_constructs::compute::{
//!     AutoScalingGroup, Gp3Volume, InstanceType, LaunchTemplate, MachineImage, UserData,
//! };
//! use rcdk_constructs::network::TieredVpc;
//! let vpc = TieredVpc::builder().build()?;
//! let template = LaunchTemplate::builder("app", &vpc, InstanceType::T4G_SMALL)
//!     .machine_image(MachineImage::amazon_linux_2023()) // the arm64 image, for t4g
//!     .root_volume(Gp3Volume::gib(20)?.throughput_mibps(250)?)
//!     .user_data(UserData::shell().command("dnf install -y docker"))
//!     .build()?;
//! let group = AutoScalingGroup::builder(&vpc, template)
//!     .size(2, 4)
//!     .cpu_target_percent(50)
//!     .traffic_port(8080)
//!     .build()?;
//! # let _ = group;
//! # Ok::<(), rcdk_constructs::error::ConstructError>(())
//! ```

mod auto_scaling_group;
mod instance_type;
mod launch_template;
mod machine_image;
mod user_data;
mod volume;

pub use auto_scaling_group::{
    AutoScalingGroup, AutoScalingGroupBuilder, RollingUpdate, MAX_PAUSE_SECONDS, SCALING_EVENTS,
};
pub use instance_type::{CpuArchitecture, InstanceType};
pub use launch_template::{
    LaunchTemplate, LaunchTemplateBuilder, DEFAULT_HOP_LIMIT, EC2_PRINCIPAL,
};
pub use machine_image::{amazon_linux_2023_parameter, AmiLookup, MachineImage};
pub use user_data::{UserData, USER_DATA_MAX_BYTES};
pub use volume::{
    Gp3Volume, GP3_IOPS, GP3_IOPS_PER_GIB, GP3_IOPS_PER_MIBPS, GP3_SIZE_GIB, GP3_THROUGHPUT_MIBPS,
};
