//! Application load balancers: internet-facing (public subnets in at least two AZs, their own
//! security group open on 80, and 443 with a certificate, only) or internal (private subnets,
//! no ingress until clients are admitted); HTTP redirected to HTTPS when a certificate is
//! given, a fixed 404 for unrouted requests, invalid headers dropped, and path / host routes
//! to ECS services with deterministic rule priorities.

use rcdk_core::kind::{CertificateArn, ListenerArn, LoadBalancerArn, SubnetId, VpcId};
use rcdk_core::{fns, CostItem, NodeId, Resource, Scanner, Tag, Val};

use super::listener::Routing;
use super::route::Route;
use super::target::LoadBalancerTarget;
use crate::cfn::elasticloadbalancingv2 as cfn;
use crate::cfn::elasticloadbalancingv2::{listener, load_balancer};
use crate::error::ConstructError;
use crate::network::{Connectable, IVpc, Port, SecurityGroup, SubnetSelection, TierKind};
use crate::pricing;
use crate::storage::{Bucket, IBucket};

/// The TLS policy of the HTTPS listener: TLS 1.3 and 1.2 only.
pub const TLS_POLICY: &str = "ELBSecurityPolicy-TLS13-1-2-2021-06";

/// Why an internet-facing load balancer's group admits every IPv4 address.
const INTERNET_FACING_REASON: &str = "Internet-facing application load balancer: its listener \
    port must admit every IPv4 address, and its targets admit this group only. An internal load \
    balancer (AlbBuilder::internal) has no rule from the internet.";

/// Control Tower's rule that an HTTP listener redirects to HTTPS.
const HTTPS_REDIRECT_RULE: &str = "alb_http_to_https_redirection_check";

/// Control Tower's rule that load balancers have deletion protection.
const DELETION_PROTECTION_RULE: &str = "elbv2_deletion_protection_enabled_check";

fn fixed_404() -> listener::Action {
    listener::Action::new(listener::ActionType::FixedResponse).fixed_response_config(
        listener::FixedResponseConfig::new("404")
            .content_type("text/plain")
            .message_body("Not found"),
    )
}

/// Who reaches the load balancer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scheme {
    /// From the internet, in the public subnets.
    InternetFacing,
    /// From inside the VPC, in the private subnets.
    Internal,
}

/// Builder of an [`ApplicationLoadBalancer`].
#[derive(Debug, Clone)]
pub struct AlbBuilder {
    vpc_id: Val<VpcId>,
    public_subnets: Vec<Val<SubnetId>>,
    private_subnets: Vec<Val<SubnetId>>,
    scheme: Scheme,
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

    /// An internal load balancer: in the VPC's private subnets, reachable from inside the VPC
    /// only, and from nobody until clients are admitted (`alb.allow_from(&client, ...)`).
    pub fn internal(mut self) -> Self {
        self.scheme = Scheme::Internal;
        self
    }

    /// Deletion protection (on by default: the load balancer is the entry point whose DNS name
    /// clients and DNS records point at, and a new one gets another name). While it is on,
    /// deleting the stack fails at the load balancer: deploy with `false` first to tear the
    /// stack down. `false` records the finding it causes, with this call as the reason.
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
        let internet_facing = self.scheme == Scheme::InternetFacing;
        let subnets = if internet_facing {
            self.public_subnets
        } else {
            self.private_subnets
        };
        if subnets.len() < 2 {
            return Err(ConstructError::LoadBalancerNeedsTwoAzs { azs: subnets.len() });
        }
        let mut security_group = if internet_facing {
            let mut group = SecurityGroup::new(
                self.vpc_id.clone(),
                "alb",
                "Application load balancer: HTTP and HTTPS from the internet",
            );
            group.allow_from_any_ipv4_because(Port::tcp(80), INTERNET_FACING_REASON);
            group
        } else {
            SecurityGroup::new(
                self.vpc_id.clone(),
                "alb",
                "Internal application load balancer: from the admitted groups only",
            )
        };
        if internet_facing && self.certificate.is_some() {
            security_group.allow_from_any_ipv4_because(Port::tcp(443), INTERNET_FACING_REASON);
        }
        let deletion = if self.deletion_protection {
            "true"
        } else {
            "false"
        };
        let mut attributes = vec![
            Tag::new("routing.http.drop_invalid_header_fields.enabled", "true"),
            Tag::new("deletion_protection.enabled", deletion),
            Tag::new(
                "idle_timeout.timeout_seconds",
                self.idle_timeout.to_string(),
            ),
        ];
        if let Some((bucket, prefix, _)) = &self.access_logs {
            attributes.push(Tag::new("access_logs.s3.enabled", "true"));
            attributes.push(Tag::new("access_logs.s3.bucket", bucket.clone()));
            attributes.push(Tag::new("access_logs.s3.prefix", prefix.as_str()));
        }
        let mut resource = cfn::LoadBalancer::new()
            .type_(load_balancer::Type::Application)
            .scheme(if internet_facing {
                load_balancer::Scheme::InternetFacing
            } else {
                load_balancer::Scheme::Internal
            })
            .ip_address_type(load_balancer::IpAddressType::Ipv4)
            .subnets(subnets.clone())
            .security_groups(vec![security_group.group_id()])
            .load_balancer_attributes(attributes);
        if !self.deletion_protection {
            resource = resource.suppress(
                Scanner::Guard,
                DELETION_PROTECTION_RULE,
                "Deletion protection was turned off explicitly with \
                 AlbBuilder::deletion_protection(false), so that deleting the stack deletes the \
                 load balancer.",
            );
        }
        match &self.access_logs {
            Some((_, _, policy)) => resource.core_mut().add_dependency(*policy),
            None => {
                resource = resource.skip_check(
                    "CKV_AWS_91",
                    "Access logging is opt-in (AlbBuilder::access_logs): it needs an S3 bucket \
                     whose policy admits Elastic Load Balancing log delivery; request counts \
                     and errors are in CloudWatch metrics without it.",
                );
            }
        }

        let arn: Val<LoadBalancerArn> = resource.ref_();
        let (http, https) = match &self.certificate {
            Some(certificate) => {
                let redirect = listener::Action::new(listener::ActionType::Redirect)
                    .redirect_config(
                        listener::RedirectConfig::new(listener::RedirectConfigStatusCode::Http301)
                            .protocol("HTTPS")
                            .port("443"),
                    );
                let http = cfn::Listener::new(arn.clone(), [redirect])
                    .protocol(listener::Protocol::Http)
                    .port(80);
                let https = cfn::Listener::new(arn, [fixed_404()])
                    .protocol(listener::Protocol::Https)
                    .port(443)
                    .ssl_policy(TLS_POLICY)
                    .certificates([
                        listener::Certificate::new().certificate_arn(certificate.clone())
                    ]);
                (http, Some(https))
            }
            None => {
                let reason = "No certificate was given, so this load balancer serves plain HTTP \
                              only; give one with AlbBuilder::certificate to serve HTTPS (TLS \
                              1.2+) on 443 and redirect HTTP to it.";
                let http = cfn::Listener::new(arn, [fixed_404()])
                    .skip_check("CKV_AWS_2", reason)
                    .skip_check("CKV_AWS_103", reason)
                    .suppress(Scanner::Guard, HTTPS_REDIRECT_RULE, reason)
                    .protocol(listener::Protocol::Http)
                    .port(80);
                (http, None)
            }
        };
        let full_name = resource.attr_load_balancer_full_name();
        Ok(ApplicationLoadBalancer {
            security_group,
            resource: LoadBalancerResource {
                resource,
                public_addresses: if internet_facing { subnets.len() } else { 0 },
            },
            http,
            https,
            routing: Routing::new(self.vpc_id, full_name),
        })
    }
}

/// The load balancer resource and its fixed monthly cost, reported at synthesis.
#[derive(Debug, Clone, rcdk_macros::Construct)]
#[construct(
    type_name = "elbv2::LoadBalancerResource",
    costs = "LoadBalancerResource::costs"
)]
pub struct LoadBalancerResource {
    resource: cfn::LoadBalancer,
    /// Nodes with a public IPv4 address: one per AZ when internet-facing.
    #[construct(skip)]
    public_addresses: usize,
}

impl LoadBalancerResource {
    fn costs(&self) -> Vec<CostItem> {
        // Hours only: load balancer capacity units depend on traffic.
        let mut costs = vec![pricing::application_load_balancers(1)];
        // Every node of an internet-facing load balancer has a public IPv4 address; an
        // internal one has none, and reports no (zero-count) line for them.
        if self.public_addresses > 0 {
            costs.push(pricing::public_ipv4_addresses(self.public_addresses as u32));
        }
        costs
    }
}

/// An application load balancer with routes to ECS services.
#[derive(Debug, Clone, rcdk_macros::Construct)]
#[construct(type_name = "elbv2::ApplicationLoadBalancer")]
pub struct ApplicationLoadBalancer {
    security_group: SecurityGroup,
    #[construct(id = "Resource")]
    resource: LoadBalancerResource,
    #[construct(id = "HttpListener")]
    http: cfn::Listener,
    #[construct(id = "HttpsListener")]
    https: Option<cfn::Listener>,
    routing: Routing,
}

impl ApplicationLoadBalancer {
    /// A load balancer in `vpc` (a VPC of this app or an imported one): internet-facing in its
    /// public subnets unless [`AlbBuilder::internal`] says otherwise; one subnet per AZ, at
    /// least two AZs.
    pub fn builder(vpc: &dyn IVpc) -> AlbBuilder {
        let one_per_az = |kind| {
            vpc.select(&SubnetSelection::OnePerAz(kind))
                .unwrap_or_default()
        };
        AlbBuilder {
            vpc_id: vpc.vpc_id(),
            public_subnets: one_per_az(TierKind::Public),
            private_subnets: one_per_az(TierKind::PrivateWithEgress),
            scheme: Scheme::InternetFacing,
            certificate: None,
            deletion_protection: true,
            access_logs: None,
            idle_timeout: 60,
        }
    }

    /// The load balancer's ARN.
    pub fn arn(&self) -> Val<LoadBalancerArn> {
        self.resource.resource.ref_()
    }

    /// The ARN of the listener routes go to (HTTPS when there is a certificate): what another
    /// stack or app passes to [`ImportedListener::from_arn`](super::ImportedListener::from_arn)
    /// to put its services behind this load balancer.
    pub fn listener_arn(&self) -> Val<ListenerArn> {
        self.https.as_ref().unwrap_or(&self.http).ref_()
    }

    /// The DNS name clients connect to.
    pub fn dns_name(&self) -> Val<String> {
        self.resource.resource.attr_dns_name()
    }

    /// The hosted zone of the DNS name (for Route 53 alias records).
    pub fn canonical_hosted_zone_id(&self) -> Val<String> {
        self.resource.resource.attr_canonical_hosted_zone_id()
    }

    /// The load balancer resource, mutably (attributes, properties this construct does not
    /// set).
    pub fn resource_mut(&mut self) -> &mut cfn::LoadBalancer {
        &mut self.resource.resource
    }

    /// Sends requests matching `route` to `target`: an ECS service (its first container with
    /// a port; a target group of the tasks' IPs) or an auto scaling group (its traffic port; a
    /// target group of instances, and the group switches to the load balancer's health
    /// checks). Writes the target group, a listener rule, the registration, and the security
    /// group rules from this load balancer to the target on that port, so the target admits
    /// the port from this load balancer's group only. Priorities not given are allocated by
    /// specificity; a clash is an error. Routes go to the HTTPS listener when there is a
    /// certificate.
    pub fn route<T: LoadBalancerTarget>(
        &mut self,
        target: &mut T,
        route: Route,
    ) -> Result<&mut Self, ConstructError> {
        let port = self.routing.add(self.listener_arn(), target, route)?;
        target
            .security_group_mut()
            .allow_from(&*self, Port::tcp(port));
        Ok(self)
    }

    /// The priority each route got, by route id (the service name), in the order added.
    pub fn priorities(&self) -> Vec<(String, u16)> {
        self.routing.priorities()
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

/// `<load balancer full name>` from a listener ARN
/// (`arn:...:listener/app/<name>/<id>/<listener id>` gives `app/<name>/<id>`).
pub(crate) fn load_balancer_full_name(listener_arn: &Val<String>) -> Val<String> {
    let part = |i: i64| fns::select(i, fns::split("/", listener_arn.clone()));
    fns::join("/", vec![part(1), part(2), part(3)])
}
