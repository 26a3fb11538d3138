//! Target-tracking autoscaling of a service's desired count.

use cdk_core::{fns, Resource, Val, Value};
use cdk_macros::Construct;

use crate::cfn::applicationautoscaling as cfn;
use crate::cfn::applicationautoscaling::{scalable_target, scaling_policy};
use crate::error::ConstructError;
use crate::iam::value::{num, obj, s};

/// Which metric target tracking follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScalingMetric {
    /// Average CPU utilization of the service, in percent.
    Cpu,
    /// Average memory utilization of the service, in percent.
    Memory,
}

/// Autoscaling settings: between `min` and `max` tasks, keeping `metric` near `target_percent`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AutoScaling {
    min: u16,
    max: u16,
    metric: ScalingMetric,
    target_percent: u8,
}

impl AutoScaling {
    /// Between `min` and `max` tasks, keeping average CPU near `target_percent`.
    pub fn cpu(min: u16, max: u16, target_percent: u8) -> Result<AutoScaling, ConstructError> {
        Self::new(min, max, ScalingMetric::Cpu, target_percent)
    }

    /// Between `min` and `max` tasks, keeping average memory near `target_percent`.
    pub fn memory(min: u16, max: u16, target_percent: u8) -> Result<AutoScaling, ConstructError> {
        Self::new(min, max, ScalingMetric::Memory, target_percent)
    }

    fn new(
        min: u16,
        max: u16,
        metric: ScalingMetric,
        target_percent: u8,
    ) -> Result<AutoScaling, ConstructError> {
        let bad = |message: String| {
            Err(ConstructError::InvalidInput {
                construct: "AutoScaling".to_string(),
                message,
            })
        };
        if min > max || max == 0 {
            return bad(format!(
                "min {min} must not exceed max {max}, and max must be at least 1"
            ));
        }
        if !(10..=90).contains(&target_percent) {
            return bad(format!(
                "target {target_percent}% is outside 10-90%: too low wastes tasks, too high leaves no headroom"
            ));
        }
        Ok(AutoScaling {
            min,
            max,
            metric,
            target_percent,
        })
    }

    /// Lowest task count.
    pub fn min(&self) -> u16 {
        self.min
    }

    /// Highest task count.
    pub fn max(&self) -> u16 {
        self.max
    }
}

/// The scalable target and its target-tracking policy (children `Target`, `Policy`).
#[derive(Debug, Clone, Construct)]
#[construct(type_name = "ecs::ServiceScaling")]
pub struct ServiceScaling {
    target: cfn::ScalableTarget,
    policy: cfn::ScalingPolicy,
}

impl ServiceScaling {
    pub(crate) fn new(
        settings: AutoScaling,
        cluster_name: Val<String>,
        service_name: Val<String>,
        policy_name: &str,
    ) -> ServiceScaling {
        let resource_id = fns::sub(
            "service/${Cluster}/${Service}",
            [("Cluster", cluster_name), ("Service", service_name)],
        );
        let target = cfn::ScalableTarget::new(
            resource_id,
            scalable_target::ServiceNamespace::Ecs,
            scalable_target::ScalableDimension::EcsServiceDesiredCount,
            i64::from(settings.min),
            i64::from(settings.max),
        );
        let metric = match settings.metric {
            ScalingMetric::Cpu => "ECSServiceAverageCPUUtilization",
            ScalingMetric::Memory => "ECSServiceAverageMemoryUtilization",
        };
        let mut policy = cfn::ScalingPolicy::new(
            policy_name,
            scaling_policy::PolicyType::TargetTrackingScaling,
        );
        let target_id: Value = target.ref_().into();
        policy.core_mut().set("ScalingTargetId", target_id);
        policy.core_mut().set(
            "TargetTrackingScalingPolicyConfiguration",
            obj([
                (
                    "PredefinedMetricSpecification",
                    obj([("PredefinedMetricType", s(metric))]),
                ),
                ("TargetValue", num(settings.target_percent)),
                ("ScaleInCooldown", num(300)),
                ("ScaleOutCooldown", num(60)),
            ]),
        );
        ServiceScaling { target, policy }
    }
}
