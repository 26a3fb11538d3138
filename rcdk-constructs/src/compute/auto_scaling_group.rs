//! Auto scaling groups: a fleet of instances from a [`LaunchTemplate`] in private subnets,
//! replaced in rolling batches when the template changes, checked by the load balancer once
//! routed to, and scaled on CPU.

use rcdk_core::kind::{AvailabilityZone, SubnetId, TopicArn};
use rcdk_core::{CostItem, NodeId, Resource, Scanner, Val, Value};
use rcdk_macros::Construct;

use super::instance_type::InstanceType;
use super::launch_template::LaunchTemplate;
use crate::cfn::autoscaling as cfn;
use crate::cfn::autoscaling::{auto_scaling_group as asg, scaling_policy as sp};
use crate::error::ConstructError;
use crate::iam::{CheckedStatement, Grant, Grantee};
use crate::network::{Connectable, IVpc, SecurityGroup, SubnetSelection, TierKind};
use crate::pricing;

/// CloudFormation's longest pause between rolling-update batches, in seconds (`PT1H`).
pub const MAX_PAUSE_SECONDS: u32 = 3_600;

/// The events [`AutoScalingGroupBuilder::scaling_notifications`] sends: every launch and
/// termination, and every failure to do either.
pub const SCALING_EVENTS: [&str; 4] = [
    "autoscaling:EC2_INSTANCE_LAUNCH",
    "autoscaling:EC2_INSTANCE_LAUNCH_ERROR",
    "autoscaling:EC2_INSTANCE_TERMINATE",
    "autoscaling:EC2_INSTANCE_TERMINATE_ERROR",
];

/// cdk-nag's rule that groups notify of scaling events.
const NOTIFICATIONS_RULE: &str = "AwsSolutions-AS3";

/// Control Tower's rule that a group names several AZs.
const MULTIPLE_AZ_RULE: &str = "autoscaling_multiple_az_check";

/// Control Tower's rule that a group may launch several instance types.
const INSTANCE_TYPES_RULE: &str =
    "autoscaling_mixed_instances_policy_multiple_instance_types_check";

/// How CloudFormation replaces instances when the launch template changes
/// (`UpdatePolicy.AutoScalingRollingUpdate`).
///
/// ```
/// use rcdk_constructs::compute::RollingUpdate;
/// let careful = RollingUpdate::one_at_a_time().pause_seconds(600);
/// let faster = RollingUpdate::one_at_a_time().max_batch_size(2).min_in_service(2);
/// # let _ = (careful, faster);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RollingUpdate {
    max_batch_size: u32,
    min_in_service: Option<u32>,
    pause_seconds: u32,
}

impl RollingUpdate {
    /// One instance at a time, keeping the group's minimum in service (one fewer when the
    /// minimum is the maximum), five minutes between batches.
    pub fn one_at_a_time() -> RollingUpdate {
        RollingUpdate {
            max_batch_size: 1,
            min_in_service: None,
            pause_seconds: 300,
        }
    }

    /// Instances replaced together (at least 1, at most the group's maximum).
    pub fn max_batch_size(mut self, size: u32) -> RollingUpdate {
        self.max_batch_size = size;
        self
    }

    /// Instances kept in service during the update (below the group's maximum).
    pub fn min_in_service(mut self, count: u32) -> RollingUpdate {
        self.min_in_service = Some(count);
        self
    }

    /// Seconds to wait after each batch (at most 3,600): time for new instances to boot and
    /// pass health checks.
    pub fn pause_seconds(mut self, seconds: u32) -> RollingUpdate {
        self.pause_seconds = seconds;
        self
    }

    fn policy(&self, min: u32, max: u32) -> Result<Value, String> {
        if self.max_batch_size == 0 || self.max_batch_size > max {
            return Err(format!(
                "rolling update batch size {} must be 1 to the group's maximum {max}",
                self.max_batch_size
            ));
        }
        let in_service = self.min_in_service.unwrap_or(min.min(max - 1));
        if in_service >= max {
            return Err(format!(
                "rolling update keeps {in_service} instances in service, which must be below \
                 the group's maximum {max} (CloudFormation needs room for a new instance)"
            ));
        }
        if self.pause_seconds > MAX_PAUSE_SECONDS {
            return Err(format!(
                "rolling update pause of {} s is over CloudFormation's 1 hour",
                self.pause_seconds
            ));
        }
        // An update policy is a resource attribute, which the typed property layer does not
        // cover; its shape is fixed here.
        let json = serde_json::json!({
            "AutoScalingRollingUpdate": {
                "MaxBatchSize": self.max_batch_size,
                "MinInstancesInService": in_service,
                "PauseTime": format!("PT{}S", self.pause_seconds),
                // Processes that would fight the update: AWS's recommendation.
                "SuspendProcesses": [
                    "HealthCheck",
                    "ReplaceUnhealthy",
                    "AZRebalance",
                    "AlarmNotification",
                    "ScheduledActions"
                ]
            },
            // A deployment must not reset the capacity that scaling reached.
            "AutoScalingScheduledAction": { "IgnoreUnmodifiedGroupSizeProperties": true }
        });
        Ok(Value::from_json(json))
    }
}

/// Builder of an [`AutoScalingGroup`]; see [`AutoScalingGroup::builder`]. The lifetime is the
/// VPC's.
pub struct AutoScalingGroupBuilder<'v> {
    vpc: &'v dyn IVpc,
    template: LaunchTemplate,
    subnets: Result<Vec<Val<SubnetId>>, ConstructError>,
    min: u32,
    max: u32,
    desired: Option<u32>,
    cpu_target: Option<u32>,
    grace_seconds: u32,
    rolling_update: RollingUpdate,
    traffic_port: Option<u16>,
    notifications: Option<Val<TopicArn>>,
    alternative_types: Vec<InstanceType>,
}

/// The AZs of `subnets`, each once, in order; `None` when one of them is not a subnet of `vpc`
/// (an explicit id), whose AZ is not known here.
fn subnet_azs(vpc: &dyn IVpc, subnets: &[Val<SubnetId>]) -> Option<Vec<Val<AvailabilityZone>>> {
    let known: Vec<_> = vpc.tiers().into_iter().flat_map(|t| t.subnets).collect();
    let mut azs: Vec<Val<AvailabilityZone>> = Vec::new();
    for subnet in subnets {
        let az = &known
            .iter()
            .find(|k| k.subnet_id == *subnet)?
            .availability_zone;
        if !azs.contains(az) {
            azs.push(az.clone());
        }
    }
    Some(azs)
}

/// The subnets of `selection`, provided they are private (with egress) or isolated.
fn fleet_subnets(
    vpc: &dyn IVpc,
    name: &str,
    selection: &SubnetSelection,
) -> Result<Vec<Val<SubnetId>>, ConstructError> {
    let public = |tier: &str| ConstructError::Conflict {
        construct: format!("AutoScalingGroup `{name}`"),
        problem: format!(
            "the selection names {tier}: instances run in private subnets (behind a load \
             balancer, reached through Session Manager); select a private or isolated tier"
        ),
    };
    match selection {
        SubnetSelection::Tier(tier) if vpc.tier_kind(tier) == Some(TierKind::Public) => {
            return Err(public(&format!("the public tier `{tier}`")));
        }
        SubnetSelection::Kind(TierKind::Public) | SubnetSelection::OnePerAz(TierKind::Public) => {
            return Err(public("the public subnets"));
        }
        SubnetSelection::Explicit(ids) => {
            let public_ids = vpc.subnet_ids(TierKind::Public);
            if ids.iter().any(|id| public_ids.contains(id)) {
                return Err(public("a public subnet"));
            }
        }
        _ => {}
    }
    vpc.select(selection)
}

impl std::fmt::Debug for AutoScalingGroupBuilder<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AutoScalingGroupBuilder")
            .field("name", &self.template.name())
            .field("vpc_id", &self.vpc.vpc_id())
            .field("min", &self.min)
            .field("max", &self.max)
            .field("desired", &self.desired)
            .field("cpu_target", &self.cpu_target)
            .finish_non_exhaustive()
    }
}

impl AutoScalingGroupBuilder<'_> {
    /// Which subnets (default: every private subnet with egress). Public subnets are refused.
    pub fn subnets(mut self, selection: SubnetSelection) -> Self {
        self.subnets = fleet_subnets(self.vpc, self.template.name(), &selection);
        self
    }

    /// The range of the group's size (default 2 to 2; at most 10,000).
    pub fn size(mut self, min: u32, max: u32) -> Self {
        self.min = min;
        self.max = max;
        self
    }

    /// Instances to run (default: the minimum). Not with CPU scaling, which decides the count.
    pub fn desired(mut self, count: u32) -> Self {
        self.desired = Some(count);
        self
    }

    /// Target tracking on the group's average CPU utilization, in percent (1-100).
    pub fn cpu_target_percent(mut self, percent: u32) -> Self {
        self.cpu_target = Some(percent);
        self
    }

    /// Seconds after launch during which failed health checks are ignored (default 300): the
    /// boot and the user data must finish within it. Also the instance warm-up of scaling.
    pub fn health_check_grace_seconds(mut self, seconds: u32) -> Self {
        self.grace_seconds = seconds;
        self
    }

    /// How instances are replaced when the launch template changes (default
    /// [`RollingUpdate::one_at_a_time`]).
    pub fn rolling_update(mut self, update: RollingUpdate) -> Self {
        self.rolling_update = update;
        self
    }

    /// The port the application listens on: where a load balancer sends traffic (needed to
    /// route to the group).
    pub fn traffic_port(mut self, port: u16) -> Self {
        self.traffic_port = Some(port);
        self
    }

    /// Publishes every launch, termination and failure of either ([`SCALING_EVENTS`]) to the
    /// SNS topic `topic` (default: none; the events are in the group's activity history). Auto
    /// Scaling publishes with its service-linked role: an encrypted topic's key policy must let
    /// `AWSServiceRoleForAutoScaling` use the key.
    pub fn scaling_notifications(mut self, topic: impl Into<Val<TopicArn>>) -> Self {
        self.notifications = Some(topic.into());
        self
    }

    /// Instance types to launch, in this order, when the launch template's type (always
    /// first) is short in an AZ: a mixed instances policy of on-demand instances, prioritized.
    /// They must differ from it and from each other, and share its CPU architecture (the
    /// image is built for one) and its burstable credit mode (e.g. `t3a.small` beside
    /// `t3.small`).
    pub fn alternative_instance_types(
        mut self,
        types: impl IntoIterator<Item = InstanceType>,
    ) -> Self {
        self.alternative_types = types.into_iter().collect();
        self
    }

    /// Builds the group.
    pub fn build(self) -> Result<AutoScalingGroup, ConstructError> {
        let name = self.template.name().to_string();
        let subnets = self.subnets?;
        let conflict = |problem: String| ConstructError::Conflict {
            construct: format!("AutoScalingGroup `{name}`"),
            problem,
        };
        if self.max == 0 || self.max > 10_000 {
            return Err(ConstructError::OutOfRange {
                construct: "AutoScalingGroup",
                setting: "maximum size",
                value: i64::from(self.max),
                allowed: "1-10,000",
            });
        }
        if self.min > self.max {
            return Err(conflict(format!(
                "the minimum size {} is above the maximum {}: swap them",
                self.min, self.max
            )));
        }
        if let Some(desired) = self.desired {
            if self.cpu_target.is_some() {
                return Err(conflict(format!(
                    "desired capacity {desired} is set together with CPU scaling: scaling \
                     decides the count (a fixed DesiredCapacity would reset it at every \
                     deployment); remove .desired(...)"
                )));
            }
            if desired < self.min || desired > self.max {
                return Err(conflict(format!(
                    "desired capacity {desired} is outside the size range {}-{}",
                    self.min, self.max
                )));
            }
        }
        if let Some(target) = self.cpu_target {
            if !(1..=100).contains(&target) {
                return Err(ConstructError::OutOfRange {
                    construct: "AutoScalingGroup",
                    setting: "CPU target (%)",
                    value: i64::from(target),
                    allowed: "1-100",
                });
            }
            if self.min == self.max {
                return Err(conflict(format!(
                    "CPU scaling needs room to scale, but the size is fixed at {}: give a \
                     range with .size(min, max)",
                    self.min
                )));
            }
        }
        if self.grace_seconds > 7_200 {
            return Err(ConstructError::OutOfRange {
                construct: "AutoScalingGroup",
                setting: "health check grace (s)",
                value: i64::from(self.grace_seconds),
                allowed: "0-7,200 s",
            });
        }
        let update = self
            .rolling_update
            .policy(self.min, self.max)
            .map_err(conflict)?;

        let template = self.template;
        let primary = template.instance_type().clone();
        let mut seen = vec![primary.name().to_string()];
        for alternative in &self.alternative_types {
            if seen.iter().any(|name| name == alternative.name()) {
                return Err(conflict(format!(
                    "{alternative} is given twice among the instance types (the launch \
                     template's {primary} is always the first): list each once"
                )));
            }
            if alternative.architecture() != primary.architecture()
                || alternative.is_burstable() != primary.is_burstable()
            {
                return Err(conflict(format!(
                    "the alternative instance type {alternative} does not match the launch \
                     template's {primary} in CPU architecture or burstable credits: the \
                     image and the credit specification are the template's"
                )));
            }
            seen.push(alternative.name().to_string());
        }
        let specification = asg::LaunchTemplateSpecification::new(template.latest_version())
            .launch_template_id(template.launch_template_id());
        let azs = subnet_azs(self.vpc, &subnets);
        let mut resource = cfn::AutoScalingGroup::new(self.min.to_string(), self.max.to_string())
            .vpc_zone_identifier(subnets)
            .health_check_type("EC2")
            .health_check_grace_period(i64::from(self.grace_seconds))
            .default_instance_warmup(i64::from(self.grace_seconds))
            .metrics_collection(vec![asg::MetricsCollection::new("1Minute")])
            .tags(vec![asg::TagProperty::new(name.as_str(), "Name", true)])
            .update_policy(update);
        if self.cpu_target.is_none() {
            resource.set_desired_capacity(self.desired.unwrap_or(self.min).to_string());
        }
        if self.alternative_types.is_empty() {
            resource.set_launch_template(specification);
            resource.core_mut().suppress(
                Scanner::Guard,
                INSTANCE_TYPES_RULE,
                format!(
                    "One instance type, the launch template's {primary}: give types of the \
                     same architecture to launch when it is short in an AZ with \
                     AutoScalingGroupBuilder::alternative_instance_types."
                ),
            );
        } else {
            let overrides: Vec<asg::LaunchTemplateOverrides> = seen
                .into_iter()
                .map(|name| asg::LaunchTemplateOverrides::new().instance_type(name))
                .collect();
            resource.set_mixed_instances_policy(asg::MixedInstancesPolicy::new(
                asg::LaunchTemplate::new(specification).overrides(overrides),
            ));
        }
        // The subnets already place the group; the AZs are written too (they must be the
        // subnets' own) so that the spread across AZs is visible to policy checks.
        match azs {
            Some(azs) if azs.len() > 1 => {
                resource.set_availability_zones(azs);
            }
            Some(azs) => {
                if let Some(az) = azs.first() {
                    resource.set_availability_zones(vec![az.clone()]);
                }
                resource.core_mut().suppress(
                    Scanner::Guard,
                    MULTIPLE_AZ_RULE,
                    "The subnets selected with AutoScalingGroupBuilder::subnets are all in one \
                     AZ: the group does not survive that AZ's outage.",
                );
            }
            None => {
                resource.core_mut().suppress(
                    Scanner::Guard,
                    MULTIPLE_AZ_RULE,
                    "The group's subnets were given by id (AutoScalingGroupBuilder::subnets \
                     with explicit ids), so their AZs are not known here and are not written; \
                     the subnets alone decide where instances run.",
                );
            }
        }
        match self.notifications {
            Some(topic) => {
                let topic: Val<String> = topic.into();
                resource.set_notification_configurations(vec![
                    asg::NotificationConfiguration::new(topic.into_value())
                        .notification_types(SCALING_EVENTS.to_vec()),
                ]);
            }
            None => resource.core_mut().suppress(
                Scanner::CdkNag,
                NOTIFICATIONS_RULE,
                "Scaling-event notifications are opt-in \
                 (AutoScalingGroupBuilder::scaling_notifications): they need an SNS topic that \
                 someone reads and whose key admits Auto Scaling; without one, every launch, \
                 termination and failure is in the group's activity history.",
            ),
        }
        let scaling = self.cpu_target.map(|target| {
            cfn::ScalingPolicy::new(resource.ref_())
                .policy_type(sp::PolicyType::TargetTrackingScaling)
                .target_tracking_configuration(
                    sp::TargetTrackingConfiguration::new(f64::from(target))
                        .predefined_metric_specification(sp::PredefinedMetricSpecification::new(
                            sp::PredefinedMetricSpecificationPredefinedMetricType::AsgAverageCpuUtilization,
                        )),
                )
        });
        let mut group = AutoScalingGroup {
            launch_template: template,
            resource,
            cpu_scaling: scaling,
            name,
            min: self.min,
            desired: self.desired,
            traffic_port: self.traffic_port,
            target_groups: Vec::new(),
        };
        // Instances register with Session Manager and pull at boot: the role's permissions
        // must exist before the first one starts.
        if let Some(node) = group.launch_template.policy_node() {
            group.resource.core_mut().add_dependency(node);
        }
        Ok(group)
    }
}

/// An auto scaling group of instances launched from its [`LaunchTemplate`] (child
/// `LaunchTemplate`), in private subnets, with a rolling update policy and, optionally, CPU
/// target tracking (child `CpuScaling`). Routed to by an application load balancer
/// (`alb.route(&mut group, Route::path("/*"))`), its instances are registered in a target group
/// of type `instance` and checked by the load balancer. Permissions granted to the group go to
/// the instance role; the group is [`Connectable`] through the instances' security group.
///
/// ```
/// use rcdk_constructs::compute::{AutoScalingGroup, InstanceType, LaunchTemplate};
/// use rcdk_constructs::network::TieredVpc;
/// let vpc = TieredVpc::builder().build()?;
/// let template = LaunchTemplate::builder("app", &vpc, InstanceType::T3_SMALL).build()?;
/// let group = AutoScalingGroup::builder(&vpc, template)
///     .size(2, 6)
///     .cpu_target_percent(60)
///     .traffic_port(8080)
///     .build()?;
/// # let _ = group;
/// # Ok::<(), rcdk_constructs::error::ConstructError>(())
/// ```
#[derive(Debug, Clone, Construct)]
#[construct(
    type_name = "compute::AutoScalingGroup",
    costs = "AutoScalingGroup::costs"
)]
pub struct AutoScalingGroup {
    launch_template: LaunchTemplate,
    resource: cfn::AutoScalingGroup,
    cpu_scaling: Option<cfn::ScalingPolicy>,
    #[construct(skip)]
    name: String,
    #[construct(skip)]
    min: u32,
    #[construct(skip)]
    desired: Option<u32>,
    #[construct(skip)]
    traffic_port: Option<u16>,
    #[construct(skip)]
    target_groups: Vec<Val<String>>,
}

impl AutoScalingGroup {
    /// A group of instances from `template`, in the private subnets (with egress) of `vpc`;
    /// named after the template.
    pub fn builder(vpc: &dyn IVpc, template: LaunchTemplate) -> AutoScalingGroupBuilder<'_> {
        let subnets = fleet_subnets(
            vpc,
            template.name(),
            &SubnetSelection::Kind(TierKind::PrivateWithEgress),
        );
        AutoScalingGroupBuilder {
            vpc,
            template,
            subnets,
            min: 2,
            max: 2,
            desired: None,
            cpu_target: None,
            grace_seconds: 300,
            rolling_update: RollingUpdate::one_at_a_time(),
            traffic_port: None,
            notifications: None,
            alternative_types: Vec::new(),
        }
    }

    /// The group's name as given to its launch template.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The launch template.
    pub fn launch_template(&self) -> &LaunchTemplate {
        &self.launch_template
    }

    /// The group's name as deployed (`Ref`).
    pub fn group_name(&self) -> Val<String> {
        self.resource.ref_()
    }

    /// The port the application listens on, if given.
    pub fn traffic_port(&self) -> Option<u16> {
        self.traffic_port
    }

    /// The group resource.
    pub fn resource(&self) -> &cfn::AutoScalingGroup {
        &self.resource
    }

    /// The group resource, mutably (properties this construct does not set).
    pub fn resource_mut(&mut self) -> &mut cfn::AutoScalingGroup {
        &mut self.resource
    }

    /// Registers the group's instances in a target group behind `rule` (called by the load
    /// balancer): the group then trusts the load balancer's health checks.
    #[cfg_attr(
        not(all(
            feature = "ecs",
            feature = "applicationautoscaling",
            feature = "elasticloadbalancingv2",
            feature = "dynamodb",
            feature = "s3",
            feature = "secretsmanager",
            feature = "sqs",
            feature = "ssm"
        )),
        allow(dead_code)
    )]
    pub(crate) fn attach_target_group(&mut self, target_group_arn: Val<String>, rule: NodeId) {
        self.target_groups.push(target_group_arn);
        self.resource
            .set_target_group_ar_ns(self.target_groups.clone())
            .set_health_check_type("ELB");
        // Registering needs a target group that a listener uses already.
        self.resource.core_mut().add_dependency(rule);
    }

    /// The instances the group keeps (desired capacity, or the minimum), each with its root
    /// volume, and the alarms of CPU target tracking. A type without a price in the table is
    /// named as not counted. A group of 0 declares 0 instances (the report skips them).
    fn costs(&self) -> Vec<CostItem> {
        let count = self.desired.unwrap_or(self.min);
        let instance_type = self.launch_template.instance_type();
        let volume = self.launch_template.root_volume();
        let mut costs = vec![
            pricing::ec2_instances(instance_type.name(), instance_type.usd_per_hour(), count),
            pricing::gp3_volumes(
                &format!("{} GiB", volume.size_gib()),
                volume.usd_per_month(),
                count,
            ),
        ];
        if self.launch_template.has_detailed_monitoring() {
            costs.push(pricing::detailed_monitoring(count));
        }
        if self.cpu_scaling.is_some() {
            costs.push(pricing::target_tracking_alarms(1));
        }
        costs
    }
}

impl Grantee for AutoScalingGroup {
    fn grant(&mut self, statement: CheckedStatement) -> Grant {
        let grant = self.launch_template.grant(statement);
        self.resource.core_mut().add_dependency(grant.policy);
        grant
    }
}

impl Connectable for AutoScalingGroup {
    fn security_group(&self) -> &SecurityGroup {
        self.launch_template.security_group()
    }
    fn security_group_mut(&mut self) -> &mut SecurityGroup {
        self.launch_template.security_group_mut()
    }
}
