//! Routes from a listener to a service: conditions, health check, target group and rule.

use cdk_core::kind::{ListenerArn, TargetGroupArn, VpcId};
use cdk_core::{NodeId, Resource, Val, Value};
use cdk_macros::Construct;

use crate::cfn::elasticloadbalancingv2 as cfn;
use crate::cfn::elasticloadbalancingv2::listener_rule;
use crate::error::ConstructError;
use crate::iam::value::{list, num, obj, raw, s};

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
        let bad = |message: String| {
            Err(ConstructError::InvalidInput {
                construct: format!("route to service `{service}`"),
                message,
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
    ) -> RouteTarget {
        let mut target_group = cfn::TargetGroup::new();
        let tg = target_group.core_mut();
        tg.set("TargetType", "ip");
        tg.set("Protocol", "HTTP");
        tg.set("ProtocolVersion", "HTTP1");
        tg.set("Port", num(port));
        tg.set("VpcId", vpc_id);
        tg.set("HealthCheckEnabled", Value::Bool(true));
        tg.set("HealthCheckProtocol", "HTTP");
        tg.set("HealthCheckPath", route.health_check_path.as_str());
        tg.set("HealthCheckIntervalSeconds", num(15));
        tg.set("HealthyThresholdCount", num(2));
        tg.set("UnhealthyThresholdCount", num(3));
        tg.set("Matcher", obj([("HttpCode", s(&route.healthy_codes))]));
        tg.set(
            "TargetGroupAttributes",
            list([obj([
                ("Key", s("deregistration_delay.timeout_seconds")),
                ("Value", s("30")),
            ])]),
        );
        let mut conditions = Vec::new();
        if !route.hosts.is_empty() {
            conditions.push(obj([
                ("Field", s("host-header")),
                (
                    "HostHeaderConfig",
                    obj([("Values", list(route.hosts.iter().map(s)))]),
                ),
            ]));
        }
        if !route.paths.is_empty() {
            conditions.push(obj([
                ("Field", s("path-pattern")),
                (
                    "PathPatternConfig",
                    obj([("Values", list(route.paths.iter().map(s)))]),
                ),
            ]));
        }
        let tg_arn: Val<TargetGroupArn> = target_group.ref_();
        let forward = obj([
            ("Type", s("forward")),
            ("TargetGroupArn", tg_arn.into_value()),
        ]);
        let mut rule = cfn::ListenerRule::new(
            raw::<cdk_core::kind::List<listener_rule::Action>>(list([forward])),
            0,
            raw::<cdk_core::kind::List<listener_rule::RuleCondition>>(Value::List(conditions)),
        );
        rule.core_mut().set("ListenerArn", listener);
        RouteTarget {
            target_group,
            rule,
            priority: 0,
        }
    }

    pub(crate) fn set_priority(&mut self, priority: u16) {
        self.priority = priority;
        self.rule.core_mut().set("Priority", num(priority));
    }

    pub(crate) fn priority(&self) -> u16 {
        self.priority
    }

    pub(crate) fn target_group_arn(&self) -> Val<String> {
        self.target_group.ref_().into()
    }

    pub(crate) fn rule_node(&self) -> NodeId {
        self.rule.core().node()
    }
}
