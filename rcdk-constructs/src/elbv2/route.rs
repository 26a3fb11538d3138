//! Routes from a listener to a service: conditions, health check, target group and rule.

use rcdk_core::kind::{ListenerArn, TargetGroupArn, VpcId};
use rcdk_core::{NodeId, Resource, Tag, Val};
use rcdk_macros::Construct;

use super::target::TargetKind;
use crate::cfn::elasticloadbalancingv2 as cfn;
use crate::cfn::elasticloadbalancingv2::{listener_rule, target_group};
use crate::error::ConstructError;

/// What requests go to a service: path patterns and / or host names, with the health check
/// the load balancer uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    hosts: Vec<String>,
    paths: Vec<String>,
    priority: Option<u16>,
    health_check_path: String,
    healthy_codes: String,
    grace_seconds: u16,
}

impl Route {
    fn empty() -> Route {
        Route {
            hosts: Vec::new(),
            paths: Vec::new(),
            priority: None,
            health_check_path: "/".to_string(),
            healthy_codes: "200-399".to_string(),
            grace_seconds: 60,
        }
    }

    /// Requests whose path matches `pattern` (`*` and `?` wildcards), e.g. `/users/*`.
    pub fn path(pattern: &str) -> Route {
        Route::empty().or_path(pattern)
    }

    /// Requests for host `name`, e.g. `api.example.com`.
    pub fn host(name: &str) -> Route {
        Route::empty().and_host(name)
    }

    /// Another path pattern (any of them matches).
    pub fn or_path(mut self, pattern: &str) -> Route {
        self.paths.push(pattern.to_string());
        self
    }

    /// Restricts to host `name` (several hosts: any of them).
    pub fn and_host(mut self, name: &str) -> Route {
        self.hosts.push(name.to_string());
        self
    }

    /// An explicit rule priority (1-50000, lower wins); otherwise one is allocated.
    pub fn priority(mut self, priority: u16) -> Route {
        self.priority = Some(priority);
        self
    }

    /// Path the load balancer checks on each task (default `/`).
    pub fn health_check_path(mut self, path: &str) -> Route {
        self.health_check_path = path.to_string();
        self
    }

    /// Seconds after a task starts during which failed health checks are ignored (default 60).
    /// An auto scaling group keeps its own grace period (`health_check_grace_seconds`).
    pub fn grace_seconds(&self) -> u16 {
        self.grace_seconds
    }

    /// Sets the grace period.
    pub fn health_check_grace(mut self, seconds: u16) -> Route {
        self.grace_seconds = seconds;
        self
    }

    pub(crate) fn hosts(&self) -> &[String] {
        &self.hosts
    }
    pub(crate) fn paths(&self) -> &[String] {
        &self.paths
    }
    pub(crate) fn priority_value(&self) -> Option<u16> {
        self.priority
    }

    pub(crate) fn validate(&self, service: &str) -> Result<(), ConstructError> {
        let bad = |problem: String| {
            Err(ConstructError::InvalidRoute {
                service: service.to_string(),
                problem,
            })
        };
        if self.hosts.len() + self.paths.len() > 5 {
            return bad("a listener rule takes at most 5 host and path values together".into());
        }
        for p in &self.paths {
            if p.is_empty() || p.len() > 128 || !p.starts_with('/') {
                return bad(format!(
                    "path pattern `{p}` must start with `/` and be 1-128 characters"
                ));
            }
        }
        for h in &self.hosts {
            if h.is_empty() || h.len() > 128 || h.contains('/') {
                return bad(format!(
                    "host `{h}` must be a host name of 1-128 characters"
                ));
            }
        }
        if !self.health_check_path.starts_with('/') || self.health_check_path.len() > 1024 {
            return bad(format!(
                "health check path `{}` must start with `/`",
                self.health_check_path
            ));
        }
        Ok(())
    }
}

/// The target group and listener rule of one route (children `TargetGroup`, `Rule`).
#[derive(Debug, Clone, Construct)]
#[construct(type_name = "elbv2::RouteTarget")]
pub struct RouteTarget {
    target_group: cfn::TargetGroup,
    rule: cfn::ListenerRule,
    #[construct(skip)]
    priority: u16,
}

impl RouteTarget {
    pub(crate) fn new(
        route: &Route,
        vpc_id: Val<VpcId>,
        port: u16,
        listener: Val<ListenerArn>,
        kind: TargetKind,
    ) -> RouteTarget {
        let target_group = cfn::TargetGroup::new()
            .target_type(kind.cfn())
            .protocol(target_group::Protocol::Http)
            .protocol_version("HTTP1")
            .port(i64::from(port))
            .vpc_id(vpc_id)
            .health_check_enabled(true)
            .health_check_protocol(target_group::HealthCheckProtocol::Http)
            .health_check_path(route.health_check_path.as_str())
            .health_check_interval_seconds(15)
            .healthy_threshold_count(2)
            .unhealthy_threshold_count(3)
            .matcher(target_group::Matcher::new().http_code(route.healthy_codes.as_str()))
            .target_group_attributes([Tag::new("deregistration_delay.timeout_seconds", "30")]);
        let mut conditions = Vec::new();
        if !route.hosts.is_empty() {
            conditions.push(
                listener_rule::RuleCondition::new()
                    .field("host-header")
                    .host_header_config(
                        listener_rule::HostHeaderConfig::new().values(route.hosts.clone()),
                    ),
            );
        }
        if !route.paths.is_empty() {
            conditions.push(
                listener_rule::RuleCondition::new()
                    .field("path-pattern")
                    .path_pattern_config(
                        listener_rule::PathPatternConfig::new().values(route.paths.clone()),
                    ),
            );
        }
        let tg_arn: Val<TargetGroupArn> = target_group.ref_();
        let forward =
            listener_rule::Action::new(listener_rule::ActionType::Forward).target_group_arn(tg_arn);
        let rule = cfn::ListenerRule::new([forward], 0, conditions).listener_arn(listener);
        RouteTarget {
            target_group,
            rule,
            priority: 0,
        }
    }

    pub(crate) fn set_priority(&mut self, priority: u16) {
        self.priority = priority;
        self.rule.set_priority(i64::from(priority));
    }

    pub(crate) fn priority(&self) -> u16 {
        self.priority
    }

    pub(crate) fn target_group_arn(&self) -> Val<TargetGroupArn> {
        self.target_group.ref_()
    }

    /// `TargetGroupFullName`, what request-count metrics are labelled with.
    pub(crate) fn target_group_full_name(&self) -> Val<String> {
        self.target_group.attr_target_group_full_name()
    }

    pub(crate) fn rule_node(&self) -> NodeId {
        self.rule.core().node()
    }
}
