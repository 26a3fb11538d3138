//! Internet-facing application load balancers: public subnets in at least two AZs, their own
//! security group open on 80 (and 443 with a certificate) only, HTTP redirected to HTTPS when a
//! certificate is given, a fixed 404 for unrouted requests, invalid headers dropped, and
//! path / host routes to ECS services with deterministic rule priorities.

use cdk_core::kind::{CertificateArn, LoadBalancerArn, SubnetId, VpcId};
use cdk_core::{CostItem, NodeId, Resource, Val, Value};
use indexmap::IndexMap;

use super::priority::PriorityAllocator;
use super::route::{Route, RouteTarget};
use crate::cfn::elasticloadbalancingv2 as cfn;
use crate::cfn::elasticloadbalancingv2::listener;
use crate::ecs::EcsService;
use crate::error::ConstructError;
use crate::iam::value::{list, num, obj, raw, s};
use crate::network::{Connectable, Port, SecurityGroup, SubnetSelection, TierKind, TieredVpc};
use crate::pricing;
use crate::storage::Bucket;

/// The TLS policy of the HTTPS listener: TLS 1.3 and 1.2 only.
pub const TLS_POLICY: &str = "ELBSecurityPolicy-TLS13-1-2-2021-06";

fn attribute(key: &str, value: &str) -> Value {
    obj([("Key", s(key)), ("Value", s(value))])
}

fn fixed_404() -> Value {
    obj([
        ("Type", s("fixed-response")),
        (
            "FixedResponseConfig",
            obj([
                ("StatusCode", s("404")),
                ("ContentType", s("text/plain")),
                ("MessageBody", s("Not found")),
            ]),
        ),
    ])
}

/// Builder of an [`ApplicationLoadBalancer`].
#[derive(Debug, Clone)]
pub struct AlbBuilder {
    vpc_id: Val<VpcId>,
    subnets: Vec<Val<SubnetId>>,
    certificate: Option<Val<CertificateArn>>,
    deletion_protection: bool,
    /// Bucket name, prefix, and the bucket policy that lets ELB write there.
    access_logs: Option<(Val<String>, String, NodeId)>,
    idle_timeout: u16,
}

impl AlbBuilder {
    /// Serves HTTPS on 443 with `certificate` (ACM); HTTP on 80 then only redirects.
    pub fn certificate(mut self, certificate: impl Into<Val<CertificateArn>>) -> Self {
        self.certificate = Some(certificate.into());
        self
    }

    /// Deletion protection (off by default: a load balancer holds no data and is recreated in
    /// minutes; turn it on for production entry points).
    pub fn deletion_protection(mut self, on: bool) -> Self {
        self.deletion_protection = on;
        self
    }

    /// Writes access logs to `bucket` (made with [`Bucket::for_load_balancer_logs`]) under
    /// `prefix` (e.g. `alb/prod`; empty for none): adds the statement letting Elastic Load
    /// Balancing write there to the bucket's policy, and makes the load balancer depend on that
    /// policy, since ELB checks its access when logging is turned on. Fails when the bucket
    /// was made otherwise or the prefix is one ELB refuses.
    pub fn access_logs(
        mut self,
        bucket: &mut Bucket,
        prefix: &str,
    ) -> Result<Self, ConstructError> {
        let policy = bucket.admit_load_balancer_logs(prefix)?;
        self.access_logs = Some((bucket.bucket_name().into(), prefix.to_string(), policy));
        Ok(self)
    }

    /// Idle connection timeout in seconds (default 60).
    pub fn idle_timeout_seconds(mut self, seconds: u16) -> Self {
        self.idle_timeout = seconds;
        self
    }

    /// Builds the load balancer.
    pub fn build(self) -> Result<ApplicationLoadBalancer, ConstructError> {
        if self.subnets.len() < 2 {
            return Err(ConstructError::LoadBalancerNeedsTwoAzs {
                azs: self.subnets.len(),
            });
        }
        let mut security_group = SecurityGroup::new(
            self.vpc_id.clone(),
            "alb",
            "Application load balancer: HTTP and HTTPS from the internet",
        );
        security_group.allow_from_any_ipv4(Port::tcp(80));
        if self.certificate.is_some() {
            security_group.allow_from_any_ipv4(Port::tcp(443));
        }
        let mut attributes = vec![
            attribute("routing.http.drop_invalid_header_fields.enabled", "true"),
            attribute(
                "deletion_protection.enabled",
                if self.deletion_protection {
                    "true"
                } else {
                    "false"
                },
            ),
            attribute(
                "idle_timeout.timeout_seconds",
                &self.idle_timeout.to_string(),
            ),
        ];
        if let Some((bucket, prefix, _)) = &self.access_logs {
            attributes.push(attribute("access_logs.s3.enabled", "true"));
            attributes.push(obj([
                ("Key", s("access_logs.s3.bucket")),
                ("Value", bucket.value().clone()),
            ]));
            attributes.push(attribute("access_logs.s3.prefix", prefix));
        }
        let mut resource = cfn::LoadBalancer::new();
        if self.access_logs.is_none() {
            resource = resource.skip_check(
                "CKV_AWS_91",
                "Access logging is opt-in (AlbBuilder::access_logs): it needs an S3 bucket whose \
                 policy admits Elastic Load Balancing log delivery; request counts and errors are \
                 in CloudWatch metrics without it.",
            );
        }
        let core = resource.core_mut();
        if let Some((_, _, policy)) = &self.access_logs {
            core.add_dependency(*policy);
        }
        core.set("Type", "application");
        core.set("Scheme", "internet-facing");
        core.set("IpAddressType", "ipv4");
        core.set("Subnets", list(self.subnets.clone()));
        core.set("SecurityGroups", list([security_group.group_id()]));
        core.set("LoadBalancerAttributes", Value::List(attributes));

        let arn: Val<LoadBalancerArn> = resource.ref_();
        let (http, https) = match &self.certificate {
            Some(certificate) => {
                let redirect = obj([
                    ("Type", s("redirect")),
                    (
                        "RedirectConfig",
                        obj([
                            ("Protocol", s("HTTPS")),
                            ("Port", s("443")),
                            ("StatusCode", s("HTTP_301")),
                        ]),
                    ),
                ]);
                let mut http = cfn::Listener::new(
                    arn.clone(),
                    raw::<cdk_core::kind::List<listener::Action>>(list([redirect])),
                );
                http.core_mut().set("Protocol", "HTTP");
                http.core_mut().set("Port", num(80));
                let mut https = cfn::Listener::new(
                    arn,
                    raw::<cdk_core::kind::List<listener::Action>>(list([fixed_404()])),
                );
                let c = https.core_mut();
                c.set("Protocol", "HTTPS");
                c.set("Port", num(443));
                c.set("SslPolicy", TLS_POLICY);
                c.set(
                    "Certificates",
                    list([obj([("CertificateArn", certificate.value().clone())])]),
                );
                (http, Some(https))
            }
            None => {
                let reason = "No certificate was given, so this load balancer serves plain HTTP \
                              only; give one with AlbBuilder::certificate to serve HTTPS (TLS \
                              1.2+) on 443 and redirect HTTP to it.";
                let mut http = cfn::Listener::new(
                    arn,
                    raw::<cdk_core::kind::List<listener::Action>>(list([fixed_404()])),
                )
                .skip_check("CKV_AWS_2", reason)
                .skip_check("CKV_AWS_103", reason);
                http.core_mut().set("Protocol", "HTTP");
                http.core_mut().set("Port", num(80));
                (http, None)
            }
        };
        Ok(ApplicationLoadBalancer {
            security_group,
            resource: LoadBalancerResource {
                resource,
                azs: self.subnets.len(),
            },
            http,
            https,
            routes: IndexMap::new(),
            allocator: PriorityAllocator::new(),
            vpc_id: self.vpc_id,
        })
    }
}

/// The load balancer resource and its fixed monthly cost, reported at synthesis.
#[derive(Debug, Clone, cdk_macros::Construct)]
#[construct(
    type_name = "elbv2::LoadBalancerResource",
    costs = "LoadBalancerResource::costs"
)]
pub struct LoadBalancerResource {
    resource: cfn::LoadBalancer,
    #[construct(skip)]
    azs: usize,
}

impl LoadBalancerResource {
    fn costs(&self) -> Vec<CostItem> {
        vec![
            // Hours only: load balancer capacity units depend on traffic.
            pricing::application_load_balancers(1),
            // Every node of an internet-facing load balancer has a public IPv4 address.
            pricing::public_ipv4_addresses(self.azs as u32),
        ]
    }
}

/// An internet-facing application load balancer with routes to ECS services.
#[derive(Debug, Clone, cdk_macros::Construct)]
#[construct(type_name = "elbv2::ApplicationLoadBalancer")]
pub struct ApplicationLoadBalancer {
    security_group: SecurityGroup,
    #[construct(id = "Resource")]
    resource: LoadBalancerResource,
    #[construct(id = "HttpListener")]
    http: cfn::Listener,
    #[construct(id = "HttpsListener")]
    https: Option<cfn::Listener>,
    routes: IndexMap<String, RouteTarget>,
    #[construct(skip)]
    allocator: PriorityAllocator,
    #[construct(skip)]
    vpc_id: Val<VpcId>,
}

impl ApplicationLoadBalancer {
    /// A load balancer in the public subnets of `vpc` (one per AZ; at least two AZs).
    pub fn builder(vpc: &TieredVpc) -> AlbBuilder {
        let subnets = vpc
            .select(&SubnetSelection::OnePerAz(TierKind::Public))
            .unwrap_or_default();
        AlbBuilder {
            vpc_id: vpc.vpc_id(),
            subnets,
            certificate: None,
            deletion_protection: false,
            access_logs: None,
            idle_timeout: 60,
        }
    }

    /// The load balancer's ARN.
    pub fn arn(&self) -> Val<LoadBalancerArn> {
        self.resource.resource.ref_()
    }

    /// The DNS name clients connect to.
    pub fn dns_name(&self) -> Val<String> {
        self.resource.resource.attr_dns_name()
    }

    /// The hosted zone of the DNS name (for Route 53 alias records).
    pub fn canonical_hosted_zone_id(&self) -> Val<String> {
        self.resource.resource.attr_canonical_hosted_zone_id()
    }

    /// The listener routes are attached to (HTTPS when there is a certificate).
    fn routing_listener(&self) -> &cfn::Listener {
        self.https.as_ref().unwrap_or(&self.http)
    }

    /// Sends requests matching `route` to `service` (its first container with a port): a
    /// target group of the tasks' IPs, a listener rule, the service's registration, and the
    /// security group rules from this load balancer to the service on that port. Priorities
    /// not given are allocated by specificity; a clash is an error.
    pub fn route(
        &mut self,
        service: &mut EcsService,
        route: Route,
    ) -> Result<&mut Self, ConstructError> {
        let (container, port) =
            service
                .traffic_port()
                .ok_or_else(|| ConstructError::InvalidInput {
                    construct: format!("route to service `{}`", service.name()),
                    message:
                        "the service has no container with a port: add .port(...) to a container"
                            .into(),
                })?;
        route.validate(service.name())?;
        let mut key = service.name().to_string();
        let mut n = 2;
        while self.routes.contains_key(&key) {
            key = format!("{}{n}", service.name());
            n += 1;
        }
        let index =
            self.allocator
                .register(&key, route.hosts(), route.paths(), route.priority_value())?;
        debug_assert_eq!(index, self.routes.len());
        let listener_arn = self.routing_listener().ref_();
        let target = RouteTarget::new(&route, self.vpc_id.clone(), port, listener_arn);
        service.attach_target_group(
            &container,
            port,
            target.target_group_arn(),
            target.rule_node(),
            route.grace_seconds(),
        );
        self.routes.insert(key, target);
        let priorities = self.allocator.allocate()?;
        for (target, priority) in self.routes.values_mut().zip(priorities) {
            target.set_priority(priority);
        }
        service
            .security_group_mut()
            .allow_from(&*self, Port::tcp(port));
        Ok(self)
    }

    /// The priority each route got, by route id (the service name), in the order added.
    pub fn priorities(&self) -> Vec<(String, u16)> {
        self.routes
            .iter()
            .map(|(k, t)| (k.clone(), t.priority()))
            .collect()
    }
}

impl Connectable for ApplicationLoadBalancer {
    fn security_group(&self) -> &SecurityGroup {
        &self.security_group
    }
    fn security_group_mut(&mut self) -> &mut SecurityGroup {
        &mut self.security_group
    }
}
