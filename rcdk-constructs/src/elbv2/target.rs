//! What a load balancer routes to: [`LoadBalancerTarget`], implemented by ECS services (targets
//! of type `ip`: the tasks' addresses) and auto scaling groups (targets of type `instance`).

use rcdk_core::kind::TargetGroupArn;
use rcdk_core::{NodeId, Val};

use crate::cfn::elasticloadbalancingv2::target_group;
use crate::ecs::EcsService;
use crate::error::ConstructError;
use crate::network::Connectable;

/// How a target group names its targets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TargetKind {
    /// By IP address (ECS tasks in `awsvpc` mode).
    Ip,
    /// By instance id (instances of an auto scaling group).
    Instance,
}

impl TargetKind {
    pub(crate) fn cfn(self) -> target_group::TargetType {
        match self {
            TargetKind::Ip => target_group::TargetType::Ip,
            TargetKind::Instance => target_group::TargetType::Instance,
        }
    }
}

/// A route's target group and rule, handed to the target when it is routed to.
#[derive(Debug, Clone)]
pub struct TargetAttachment {
    pub(crate) target_group_arn: Val<TargetGroupArn>,
    pub(crate) rule: NodeId,
    pub(crate) port: u16,
    pub(crate) grace_seconds: u16,
    pub(crate) label: Val<String>,
}

impl TargetAttachment {
    /// The target group's ARN.
    pub fn target_group_arn(&self) -> Val<TargetGroupArn> {
        self.target_group_arn.clone()
    }

    /// The listener rule that uses the target group: registering before it exists fails.
    pub fn rule(&self) -> NodeId {
        self.rule
    }

    /// The port traffic goes to.
    pub fn port(&self) -> u16 {
        self.port
    }
}

/// Something an application load balancer routes to: `alb.route(&mut target, route)` writes a
/// target group of the target's kind and a listener rule, registers the target, and admits the
/// load balancer's group on the target's port (only from that group).
pub trait LoadBalancerTarget: Connectable {
    /// The name routes and error messages use.
    fn target_name(&self) -> String;
    /// How the target group names the targets.
    fn target_kind(&self) -> TargetKind;
    /// The port traffic goes to, or why there is none.
    fn target_port(&self) -> Result<u16, ConstructError>;
    /// Registers with the route's target group.
    fn attach(&mut self, attachment: TargetAttachment);
}

impl LoadBalancerTarget for EcsService {
    fn target_name(&self) -> String {
        self.name().to_string()
    }
    fn target_kind(&self) -> TargetKind {
        TargetKind::Ip
    }
    fn target_port(&self) -> Result<u16, ConstructError> {
        self.traffic_port().map(|(_, port)| port).ok_or_else(|| {
            ConstructError::ServiceWithoutPort {
                service: self.name().to_string(),
            }
        })
    }
    fn attach(&mut self, attachment: TargetAttachment) {
        // `target_port` succeeded before the route was made, so there is a container.
        if let Some((container, _)) = self.traffic_port() {
            self.attach_target_group(
                &container,
                attachment.port,
                attachment.target_group_arn,
                attachment.rule,
                attachment.grace_seconds,
                attachment.label,
            );
        }
    }
}

#[cfg(feature = "autoscaling")]
impl LoadBalancerTarget for crate::compute::AutoScalingGroup {
    fn target_name(&self) -> String {
        self.name().to_string()
    }
    fn target_kind(&self) -> TargetKind {
        TargetKind::Instance
    }
    fn target_port(&self) -> Result<u16, ConstructError> {
        self.traffic_port()
            .ok_or_else(|| ConstructError::InvalidRoute {
                service: self.name().to_string(),
                problem: "the auto scaling group has no traffic port: give it with \
                          .traffic_port(8080) on its builder"
                    .into(),
            })
    }
    fn attach(&mut self, attachment: TargetAttachment) {
        // The group's own grace period applies (instances boot slower than tasks start).
        self.attach_target_group(attachment.target_group_arn.into(), attachment.rule);
    }
}
