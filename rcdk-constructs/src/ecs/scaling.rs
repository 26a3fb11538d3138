//! Autoscaling of a service's desired count: target tracking on CPU, memory or requests per
//! task, and scheduled changes of the range.

use rcdk_core::{fns, Annotation, CostItem, Val};
use rcdk_macros::Construct;

use crate::cfn::applicationautoscaling as cfn;
use crate::cfn::applicationautoscaling::{scalable_target, scaling_policy};
use crate::error::ConstructError;
use crate::pricing;

use scaling_policy::PredefinedMetricSpecificationPredefinedMetricType as Metric;

/// Which metric target tracking follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScalingMetric {
    /// Average CPU utilization of the service, in percent.
    Cpu,
    /// Average memory utilization of the service, in percent.
    Memory,
    /// Load balancer requests per task (per target of the service's target group): needs the
    /// service behind a load balancer.
    RequestsPerTask,
}

/// A scheduled change of the scaling range, e.g. fewer tasks at night.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScheduledScaling {
    name: String,
    schedule: String,
    min: u16,
    max: u16,
}

/// Autoscaling settings: between `min` and `max` tasks, keeping `metric` near its target, and
/// optionally changing the range on a schedule.
///
/// ```
/// use rcdk_constructs::ecs::AutoScaling;
/// let scaling = AutoScaling::cpu(2, 10, 60)?
///     .schedule("night", "cron(0 22 * * ? *)", 1, 2)?
///     .schedule("day", "cron(0 6 * * ? *)", 2, 10)?;
/// # Ok::<(), rcdk_constructs::error::ConstructError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AutoScaling {
    min: u16,
    max: u16,
    metric: ScalingMetric,
    target: u32,
    schedules: Vec<ScheduledScaling>,
}

fn range_error(setting: &'static str, value: u32, allowed: &'static str) -> ConstructError {
    ConstructError::OutOfRange {
        construct: "AutoScaling",
        setting,
        value: value.into(),
        allowed,
    }
}

fn check_range(min: u16, max: u16) -> Result<(), ConstructError> {
    if max == 0 {
        return Err(range_error("max", 0, "1 or more"));
    }
    if min > max {
        return Err(ConstructError::Conflict {
            construct: "AutoScaling".into(),
            problem: format!("min {min} exceeds max {max}; give the lower bound first"),
        });
    }
    Ok(())
}

impl AutoScaling {
    /// Between `min` and `max` tasks, keeping average CPU near `target_percent` (10-90).
    pub fn cpu(min: u16, max: u16, target_percent: u8) -> Result<AutoScaling, ConstructError> {
        Self::percent(min, max, ScalingMetric::Cpu, target_percent)
    }

    /// Between `min` and `max` tasks, keeping average memory near `target_percent` (10-90).
    pub fn memory(min: u16, max: u16, target_percent: u8) -> Result<AutoScaling, ConstructError> {
        Self::percent(min, max, ScalingMetric::Memory, target_percent)
    }

    /// Between `min` and `max` tasks, keeping the load balancer requests per task per minute
    /// near `requests` (1 or more). The service must be routed behind a load balancer.
    pub fn requests_per_task(
        min: u16,
        max: u16,
        requests: u32,
    ) -> Result<AutoScaling, ConstructError> {
        check_range(min, max)?;
        if requests == 0 {
            return Err(range_error("requests_per_task", 0, "1 or more"));
        }
        Ok(AutoScaling {
            min,
            max,
            metric: ScalingMetric::RequestsPerTask,
            target: requests,
            schedules: Vec::new(),
        })
    }

    fn percent(
        min: u16,
        max: u16,
        metric: ScalingMetric,
        target_percent: u8,
    ) -> Result<AutoScaling, ConstructError> {
        check_range(min, max)?;
        if !(10..=90).contains(&target_percent) {
            return Err(range_error(
                "target_percent",
                target_percent.into(),
                "10..=90 (too low wastes tasks, too high leaves no headroom)",
            ));
        }
        Ok(AutoScaling {
            min,
            max,
            metric,
            target: target_percent.into(),
            schedules: Vec::new(),
        })
    }

    /// At the times `schedule` gives (`cron(...)`, `rate(...)` or `at(...)`, in UTC), sets the
    /// range to `min`..`max`; `name` tells the actions apart (letters, digits, `-`, `_`).
    pub fn schedule(
        mut self,
        name: &str,
        schedule: &str,
        min: u16,
        max: u16,
    ) -> Result<AutoScaling, ConstructError> {
        check_range(min, max)?;
        let valid_name = !name.is_empty()
            && name.len() <= 200
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if !valid_name || self.schedules.iter().any(|s| s.name == name) {
            return Err(ConstructError::InvalidName {
                construct: "AutoScaling",
                what: "scheduled action name",
                name: name.to_string(),
                rule: "it must be 1-200 letters, digits, `-` or `_`, unique within the service",
            });
        }
        let shaped = ["cron(", "rate(", "at("]
            .iter()
            .any(|p| schedule.starts_with(p))
            && schedule.ends_with(')');
        if !shaped {
            return Err(ConstructError::InvalidName {
                construct: "AutoScaling",
                what: "schedule",
                name: schedule.to_string(),
                rule:
                    "write it as `cron(0 22 * * ? *)`, `rate(1 hour)` or `at(2026-12-24T18:00:00)`",
            });
        }
        self.schedules.push(ScheduledScaling {
            name: name.to_string(),
            schedule: schedule.to_string(),
            min,
            max,
        });
        Ok(self)
    }

    /// Lowest task count.
    pub fn min(&self) -> u16 {
        self.min
    }

    /// Highest task count.
    pub fn max(&self) -> u16 {
        self.max
    }

    /// The metric target tracking follows.
    pub fn metric(&self) -> ScalingMetric {
        self.metric
    }
}

/// The scalable target and its target-tracking policy (children `Target`, `Policy`).
#[derive(Debug, Clone, Construct)]
#[construct(
    type_name = "ecs::ServiceScaling",
    annotations = "Self::check",
    costs = "Self::costs"
)]
pub struct ServiceScaling {
    target: cfn::ScalableTarget,
    policy: cfn::ScalingPolicy,
    #[construct(skip)]
    metric: ScalingMetric,
    #[construct(skip)]
    target_value: i32,
    #[construct(skip)]
    routed: bool,
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
        let mut target = cfn::ScalableTarget::new(
            resource_id,
            scalable_target::ServiceNamespace::Ecs,
            scalable_target::ScalableDimension::EcsServiceDesiredCount,
            i64::from(settings.min),
            i64::from(settings.max),
        );
        if !settings.schedules.is_empty() {
            target.set_scheduled_actions(
                settings
                    .schedules
                    .iter()
                    .map(|s| {
                        scalable_target::ScheduledAction::new(s.name.as_str(), s.schedule.as_str())
                            .scalable_target_action(
                                scalable_target::ScalableTargetAction::new()
                                    .min_capacity(i64::from(s.min))
                                    .max_capacity(i64::from(s.max)),
                            )
                    })
                    .collect::<Vec<_>>(),
            );
        }
        let metric = match settings.metric {
            ScalingMetric::Cpu => Metric::EcsServiceAverageCpuUtilization,
            ScalingMetric::Memory => Metric::EcsServiceAverageMemoryUtilization,
            ScalingMetric::RequestsPerTask => Metric::AlbRequestCountPerTarget,
        };
        let target_value = i32::try_from(settings.target).unwrap_or(i32::MAX);
        let policy = cfn::ScalingPolicy::new(
            policy_name,
            scaling_policy::PolicyType::TargetTrackingScaling,
        )
        .scaling_target_id(target.ref_())
        .target_tracking_scaling_policy_configuration(tracking(target_value, metric, None));
        ServiceScaling {
            target,
            policy,
            metric: settings.metric,
            target_value,
            routed: false,
        }
    }

    /// The service is behind a load balancer: request-count tracking follows the requests of
    /// `label` (`<load balancer full name>/<target group full name>`).
    pub(crate) fn routed(&mut self, label: Val<String>) {
        if self.metric == ScalingMetric::RequestsPerTask && !self.routed {
            self.policy
                .set_target_tracking_scaling_policy_configuration(tracking(
                    self.target_value,
                    Metric::AlbRequestCountPerTarget,
                    Some(label),
                ));
        }
        self.routed = true;
    }

    /// The alarms its one target-tracking policy keeps.
    fn costs(&self) -> Vec<CostItem> {
        vec![pricing::target_tracking_alarms(1)]
    }

    fn check(&self) -> Vec<Annotation> {
        if self.metric == ScalingMetric::RequestsPerTask && !self.routed {
            vec![Annotation::error(
                "scaling on requests per task needs the service behind a load balancer: route \
                 it with `alb.route(&mut service, ...)`, or scale on CPU or memory",
            )]
        } else {
            Vec::new()
        }
    }
}

/// Target tracking of `metric` at `target`, scaling in slowly (5 minutes) and out fast (1).
fn tracking(
    target: i32,
    metric: Metric,
    label: Option<Val<String>>,
) -> scaling_policy::TargetTrackingScalingPolicyConfiguration {
    let mut spec = scaling_policy::PredefinedMetricSpecification::new(metric);
    if let Some(label) = label {
        spec.set_resource_label(label);
    }
    scaling_policy::TargetTrackingScalingPolicyConfiguration::new(target)
        .predefined_metric_specification(spec)
        .scale_in_cooldown(300)
        .scale_out_cooldown(60)
}
