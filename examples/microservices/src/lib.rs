//! Seed document 000, "VPC Networking and IAM", the whole
//! document, as one app:
//!
//! - §1-§3, §10: VPC 10.0.0.0/16 in 2 AZs, public / private / data subnets with the seed's
//!   CIDRs, a NAT gateway per AZ, no internet route from the data tier ([`network`]).
//! - §5: the private tier's network ACL; §6: S3 gateway endpoint, ECR api / dkr, CloudWatch Logs
//!   and Secrets Manager interface endpoints.
//! - §4: the chain ALB (80 from the internet; 443 once a certificate is given) -> tasks (3000)
//!   -> Postgres (5432) / Redis (6379), rules between groups, never CIDRs.
//! - §7-§9: per service its own task role with exactly the seed's permissions; one execution
//!   role shared by the services (one per stack in the multi-stack benchmark app), reading
//!   only those services' parameters, secrets, log groups and images.
//! - §10-§11: an ECS Fargate cluster; `user-service` and `order-service` behind one ALB with
//!   path routing (`/users/*`, `/orders/*`); Postgres and Redis in the data tier.
//!
//! [`build_app`] takes the number of services so that the benchmark can synthesize 40 of
//! them; services past the seed's two are copies of them (`service-03`, ...), running the
//! image of the service they copy.

use rcdk::constructs::iam::SharedExecutionRole;
use rcdk::core::image::CargoImage;
use rcdk::prelude::*;

pub mod network;
pub mod service;

pub use service::Microservice;

/// Services in the first stack, with the platform, when they fit. CloudFormation allows 500
/// resources per stack: the platform takes about 95, the stack's shared execution role 2, a
/// service 17 (15 in its own stack, plus its target group and listener rule, which stay with
/// the load balancer in the first stack).
pub const SERVICES_IN_FIRST_STACK: usize = 17;

/// Services in each further stack (`Microservices2`, `Microservices3`, ...).
pub const SERVICES_PER_STACK: usize = 25;

/// Resources of the first stack that do not depend on its services (the platform and the
/// stack's execution role), rounded up so that a small change to the platform still fits.
const FIRST_STACK_FIXED_RESOURCES: usize = 100;

/// The services of the first stack out of `services`: [`SERVICES_IN_FIRST_STACK`], fewer when
/// the target groups and listener rules of many services elsewhere leave less room. Each
/// service there adds 17 resources, each service elsewhere its 2 on the load balancer.
pub fn services_in_first_stack(services: usize) -> usize {
    let room = 500usize
        .saturating_sub(FIRST_STACK_FIXED_RESOURCES)
        .saturating_sub(2 * services);
    (room / 15).min(SERVICES_IN_FIRST_STACK)
}

/// What the services share: the network, the cluster, the load balancer, the data tier and
/// the seed's bucket, queues and table.
#[derive(Construct)]
pub struct Platform {
    pub(crate) vpc: TieredVpc,
    pub(crate) cluster: EcsCluster,
    pub(crate) alb: ApplicationLoadBalancer,
    /// The load balancer's access logs: every request that reaches the platform is recorded.
    alb_logs: Bucket,
    pub(crate) database: PostgresDatabase,
    pub(crate) cache: RedisCache,
    // Seed §7 and §9 name these `user-profile-photos`, `email-notifications`,
    // `order-processing-queue` and `sessions`; the construct ids keep those names while the
    // physical names are generated (bucket names are global, and generated names let a
    // stack be deployed twice in one account).
    user_profile_photos: Bucket,
    email_notifications: Queue,
    order_processing_queue: Queue,
    sessions: Table,
    /// The services' images, built from this workspace's `user-service` and `order-service`
    /// packages: found once, cloned into each service that runs them.
    #[construct(skip)]
    user_image: CargoImage,
    #[construct(skip)]
    order_image: CargoImage,
}

impl Platform {
    /// The shared part of the seed's architecture.
    pub fn new() -> Result<Platform, ConstructError> {
        let vpc = network::vpc()?;
        let mut alb_logs = Bucket::for_load_balancer_logs();
        let alb = ApplicationLoadBalancer::builder(&vpc)
            .access_logs(&mut alb_logs, "alb")?
            .build()?;
        let database = PostgresDatabase::builder(&vpc)
            .database_name("app")
            .build()?;
        let cache = RedisCache::builder(&vpc).build()?;
        Ok(Platform {
            cluster: EcsCluster::new(),
            alb,
            alb_logs,
            database,
            cache,
            vpc,
            user_profile_photos: Bucket::new(),
            email_notifications: Queue::new().with_dead_letter_queue(5)?,
            order_processing_queue: Queue::new().with_dead_letter_queue(5)?,
            sessions: Table::new(KeyAttribute::new("session_id", AttributeType::String)?),
            user_image: ContainerImage::cargo_package("user-service")?,
            order_image: ContainerImage::cargo_package("order-service")?,
        })
    }

    /// Seed §7: the user-service's task role reads and writes the profile photos (§9's S3
    /// read/write: `s3:ListBucket` on the bucket, get / put / delete on its objects), sends to
    /// `email-notifications` (§9's producer), and may be reached with ECS Exec (the `ECSExec`
    /// statement).
    pub fn user_service(
        &mut self,
        execution: &mut SharedExecutionRole,
        name: &str,
        path: &str,
    ) -> Result<Microservice, ConstructError> {
        let image = self.user_image.clone();
        let mut users = Microservice::new(self, execution, name, image, path, true)?;
        self.user_profile_photos.grant_read_write(&mut users);
        self.email_notifications.grant_send(&mut users);
        Ok(users)
    }

    /// Seed §9: the order-service consumes `order-processing-queue` and reads and writes items
    /// of `sessions`, with exactly the document's actions (the typed `grant_consume` would add
    /// `sqs:ChangeMessageVisibility`, `grant_read_items` the batch and scan actions).
    pub fn order_service(
        &mut self,
        execution: &mut SharedExecutionRole,
        name: &str,
        path: &str,
    ) -> Result<Microservice, ConstructError> {
        let image = self.order_image.clone();
        let mut orders = Microservice::new(self, execution, name, image, path, false)?;
        let consume = actions![
            "sqs:ReceiveMessage",
            "sqs:DeleteMessage",
            "sqs:GetQueueAttributes"
        ];
        orders.grant(
            Statement::allow(consume)
                .on(self.order_processing_queue.queue_arn())
                .checked()?,
        );
        let items = actions![
            "dynamodb:GetItem",
            "dynamodb:PutItem",
            "dynamodb:UpdateItem",
            "dynamodb:DeleteItem",
            "dynamodb:Query"
        ];
        orders.grant(
            Statement::allow(items)
                .on(self.sessions.table_arn())
                .checked()?,
        );
        Ok(orders)
    }

    /// The load balancer's DNS name.
    pub fn url(&self) -> Val<String> {
        self.alb.dns_name()
    }
}

/// The stack (0 = the first) that holds service number `i` (from 0) when the first stack
/// holds `first` services.
fn stack_of(i: usize, first: usize) -> usize {
    if i < first {
        0
    } else {
        1 + (i - first) / SERVICES_PER_STACK
    }
}

/// The app with `services` services (at least 1): the seed's `user-service` and
/// `order-service`, then alternating copies of them.
///
/// The services of a stack share one execution role, placed in that stack: its policy names
/// their log groups and secrets while they name the role, so one role for services of several
/// stacks would make those stacks depend on each other.
pub fn build_app(services: usize) -> Result<App, ConstructError> {
    if services == 0 {
        return Err(ConstructError::OutOfRange {
            construct: "microservices app",
            setting: "services",
            value: 0,
            allowed: "1 or more: ask for at least one service",
        });
    }
    let first = services_in_first_stack(services);
    let stacks = stack_of(services - 1, first) + 1;
    let mut platform = Platform::new()?;
    let mut executions: Vec<_> = (0..stacks).map(|_| SharedExecutionRole::new()).collect();
    let mut built: Vec<Vec<Microservice>> = (0..stacks).map(|_| Vec::new()).collect();
    for i in 0..services {
        let (name, path) = match i {
            0 => ("user-service".to_string(), "/users/*".to_string()),
            1 => ("order-service".to_string(), "/orders/*".to_string()),
            _ => (
                format!("service-{:02}", i + 1),
                format!("/service-{:02}/*", i + 1),
            ),
        };
        let execution = &mut executions[stack_of(i, first)];
        let service = if i % 2 == 0 {
            platform.user_service(execution, &name, &path)?
        } else {
            platform.order_service(execution, &name, &path)?
        };
        built[stack_of(i, first)].push(service);
    }

    let url = Output::new(platform.url()).description("Load balancer DNS name");
    let mut first = Some(
        Stack::new("Microservices")
            .description("Seed 000: ECS Fargate microservices in a three-tier VPC")
            .with("Platform", platform)
            .with("Url", url),
    );
    let mut app = App::new();
    for (n, (execution, services)) in executions.into_iter().zip(built).enumerate() {
        let stack = first.take().unwrap_or_else(|| {
            Stack::new(format!("Microservices{}", n + 1))
                .description("Seed 000: more microservices of the Microservices stack")
        });
        let stack = stack
            .tag("project", "microservices")
            .with("ExecutionRole", execution);
        app.add(
            services
                .into_iter()
                .fold(stack, |s, m| s.with(pascal_case(m.name()), m)),
        );
    }
    Ok(app)
}

/// `user-service` -> `UserService` (construct ids read like the resource names).
fn pascal_case(name: &str) -> String {
    name.split(['-', '_'])
        .map(|part| {
            let mut chars = part.chars();
            match chars.next() {
                Some(first) => first.to_ascii_uppercase().to_string() + chars.as_str(),
                None => String::new(),
            }
        })
        .collect()
}
