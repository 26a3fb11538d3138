//! Routing from a listener to services ([`Routing`], shared by the load balancers of this app and
//! by listeners made elsewhere), and [`ImportedListener`]: a listener of a load balancer that
//! another stack or team owns, to put services behind.

use indexmap::IndexMap;
use rcdk_core::kind::{ListenerArn, VpcId};
use rcdk_core::{Child, ChildMut, ConstructField, Val};
use rcdk_macros::Construct;

use super::alb::load_balancer_full_name;
use super::priority::PriorityAllocator;
use super::route::{Route, RouteTarget};
use super::target::{LoadBalancerTarget, TargetAttachment};
use crate::error::ConstructError;
use crate::network::{Connectable, IVpc, Port, SecurityGroup};

/// The routes of one listener: a target group and rule per service, with priorities allocated
/// together. As a field of a construct, its routes are children of that construct, named after
/// the services (the field's own id is not used, so that logical ids do not depend on it).
#[derive(Debug, Clone)]
pub(crate) struct Routing {
    routes: IndexMap<String, RouteTarget>,
    allocator: PriorityAllocator,
    vpc_id: Val<VpcId>,
    /// `LoadBalancerFullName`, for request-count scaling labels.
    load_balancer: Val<String>,
    /// Every route must name its priority (the listener has rules this app does not know).
    explicit_priorities: bool,
}

impl ConstructField for Routing {
    fn push_children<'a>(&'a self, id: &str, out: &mut Vec<Child<'a>>) {
        self.routes.push_children(id, out)
    }
    fn push_children_mut<'a>(&'a mut self, id: &str, out: &mut Vec<ChildMut<'a>>) {
        self.routes.push_children_mut(id, out)
    }
}

impl Routing {
    pub(crate) fn new(vpc_id: Val<VpcId>, load_balancer: Val<String>) -> Routing {
        Routing {
            routes: IndexMap::new(),
            allocator: PriorityAllocator::new(),
            vpc_id,
            load_balancer,
            explicit_priorities: false,
        }
    }

    /// Adds the target group and rule of `route` to `target` on `listener`, registers the
    /// target with it and settles the priorities; returns the port traffic goes to.
    pub(crate) fn add(
        &mut self,
        listener: Val<ListenerArn>,
        target: &mut dyn LoadBalancerTarget,
        route: Route,
    ) -> Result<u16, ConstructError> {
        let name = target.target_name();
        let port = target.target_port()?;
        route.validate(&name)?;
        if self.explicit_priorities && route.priority_value().is_none() {
            return Err(ConstructError::InvalidRoute {
                service: name,
                problem: "the listener is imported and may hold rules this app does not know: \
                          give the route its priority with .priority(n)"
                    .into(),
            });
        }
        let mut key = name.clone();
        let mut n = 2;
        while self.routes.contains_key(&key) {
            key = format!("{name}{n}");
            n += 1;
        }
        let index =
            self.allocator
                .register(&key, route.hosts(), route.paths(), route.priority_value())?;
        debug_assert_eq!(index, self.routes.len());
        let route_target = RouteTarget::new(
            &route,
            self.vpc_id.clone(),
            port,
            listener,
            target.target_kind(),
        );
        let label = rcdk_core::fns::join(
            "/",
            vec![
                self.load_balancer.clone(),
                route_target.target_group_full_name(),
            ],
        );
        target.attach(TargetAttachment {
            target_group_arn: route_target.target_group_arn(),
            rule: route_target.rule_node(),
            port,
            grace_seconds: route.grace_seconds(),
            label,
        });
        self.routes.insert(key, route_target);
        let priorities = self.allocator.allocate()?;
        for (target, priority) in self.routes.values_mut().zip(priorities) {
            target.set_priority(priority);
        }
        Ok(port)
    }

    pub(crate) fn priorities(&self) -> Vec<(String, u16)> {
        self.routes
            .iter()
            .map(|(k, t)| (k.clone(), t.priority()))
            .collect()
    }
}

/// A listener of a load balancer made outside this app: services are routed behind it with a
/// target group and listener rule of their own, in this app. Only this app's side of the
/// connection is written: the services' security groups admit the load balancer's group; the
/// load balancer's group is left as its owner made it (its egress must allow the services'
/// port). Every route needs an explicit priority, since the listener may hold other rules.
///
/// ```
/// use rcdk_constructs::elbv2::{ImportedListener, Route};
/// use rcdk_constructs::network::{SecurityGroup, TieredVpc};
/// let vpc = TieredVpc::builder().build()?;
/// let listener = ImportedListener::from_arn(
///     "arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/shared/0123456789abcdef/fedcba9876543210",
///     SecurityGroup::new("vpc-0a1b2c3d4e5f60718", "shared-alb", "Shared load balancer"),
///     &vpc,
/// );
/// # let _ = listener;
/// # Ok::<(), rcdk_constructs::error::ConstructError>(())
/// ```
#[derive(Debug, Clone, Construct)]
#[construct(type_name = "elbv2::ImportedListener")]
pub struct ImportedListener {
    routing: Routing,
    #[construct(skip)]
    arn: Val<ListenerArn>,
    #[construct(skip)]
    security_group: SecurityGroup,
}

impl ImportedListener {
    /// The listener `arn`, of a load balancer whose security group is `security_group`
    /// (usually `SecurityGroup::from_id(..)`), in `vpc`.
    pub fn from_arn(
        arn: impl Into<Val<ListenerArn>>,
        security_group: SecurityGroup,
        vpc: &dyn IVpc,
    ) -> ImportedListener {
        let arn = arn.into();
        let mut routing = Routing::new(vpc.vpc_id(), load_balancer_full_name(&arn.clone().into()));
        routing.explicit_priorities = true;
        ImportedListener {
            routing,
            arn,
            security_group,
        }
    }

    /// The listener's ARN.
    pub fn arn(&self) -> Val<ListenerArn> {
        self.arn.clone()
    }

    /// Sends requests matching `route` (which must name its priority) to `target` (an ECS
    /// service or an auto scaling group): a target group and listener rule in this app, and
    /// the ingress rule on the target's group from the load balancer's group.
    pub fn route<T: LoadBalancerTarget>(
        &mut self,
        target: &mut T,
        route: Route,
    ) -> Result<&mut Self, ConstructError> {
        let port = self.routing.add(self.arn.clone(), target, route)?;
        target
            .security_group_mut()
            .allow_from(&*self, Port::tcp(port));
        Ok(self)
    }

    /// The priority of each route, by route id (the service name), in the order added.
    pub fn priorities(&self) -> Vec<(String, u16)> {
        self.routing.priorities()
    }
}

impl Connectable for ImportedListener {
    fn security_group(&self) -> &SecurityGroup {
        &self.security_group
    }
    fn security_group_mut(&mut self) -> &mut SecurityGroup {
        &mut self.security_group
    }
}
