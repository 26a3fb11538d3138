//! The user's own construct: one microservice of the platform, i.e. the bundle the seed repeats
//! per service (§7, §10): a Fargate service with its own task role, its log group, its
//! configuration parameter under `/<name>/` and its secret, registered behind the shared load
//! balancer on its path and admitted to Postgres and Redis. The execution role is shared by the
//! services of a stack (§7's one execution role) and reads only their configuration.

use rcdk::constructs::iam::{CheckedStatement, SharedExecutionRole};
use rcdk::core::image::CargoImage;
use rcdk::prelude::*;

use crate::Platform;

/// The port every service listens on (the seed's security-group chain: ALB -> tasks on 3000).
pub const PORT: u16 = 3000;

/// One microservice. `#[derive(Construct)]` makes each field a child (ids `Service`, `Config`,
/// `Credentials`), so the template's logical ids read `UserServiceServiceTaskRole...`.
#[derive(Construct)]
pub struct Microservice {
    service: EcsService,
    config: SsmParameter,
    credentials: Secret,
}

impl Microservice {
    /// Service `name` (it names the task family and the parameter path `/<name>/`), running
    /// `image`, built from a package of this workspace, reached through the load balancer on `path` (`/users/*`);
    /// with `exec`, ECS Exec (`aws ecs execute-command`) is on: the task role gets the four
    /// `ssmmessages` channel actions of the seed's `ECSExec` statement. What the service's task
    /// definition needs is registered into `execution`.
    pub fn new(
        platform: &mut Platform,
        execution: &mut SharedExecutionRole,
        name: &str,
        image: CargoImage,
        path: &str,
        exec: bool,
    ) -> Result<Microservice, ConstructError> {
        // Seed §7: the shared execution role reads the parameters under `/<name>/` and the
        // service's secrets; the service registers into it exactly the ARNs the containers
        // declare below (and its log group and image repository), nothing else.
        let config = SsmParameter::string(format!("/{name}/config"), r#"{"logLevel":"info"}"#)
            .description(format!("Runtime configuration of {name}"));
        // The service's own database user. The secret's name is generated: the name of a
        // deleted secret stays reserved for days, which would block a redeploy.
        let credentials = Secret::generated_json(
            &format!(r#"{{"username":"{}"}}"#, name.replace('-', "_")),
            "password",
        )
        .description(format!("Database credentials of {name}"));

        // The image is the service's own code: a package of this workspace, built and
        // pushed by `cargo rcdk deploy` (synthesis only hashes its sources). The default base
        // has glibc and CA certificates but no shell, so the health check runs the binary.
        // One image per package, found once by the platform: its sources are hashed once,
        // however many services run it.
        let package = image.package().name().to_string();
        let container = Container::new("app", image)?
            .port(PORT)
            .env("DB_HOST", platform.database.endpoint_address())
            .env("REDIS_HOST", platform.cache.primary_address())
            .secret("CONFIG", SecretSource::parameter(&config))
            .secret(
                "DB_USERNAME",
                SecretSource::secret_field(&credentials, "username"),
            )
            .secret(
                "DB_PASSWORD",
                SecretSource::secret_field(&credentials, "password"),
            )
            .health_check(HealthCheck::exec([
                format!("/app/{package}"),
                "--health-check".to_string(),
            ]))
            .read_only_root_filesystem();
        let mut service = EcsService::builder(name, &platform.cluster, &platform.vpc)
            .size(fargate_size!(512, 1024))
            .container(container)
            .execution_role(execution)
            .exec(exec)
            .build()?;

        // Seed §4: ALB -> tasks on 3000, tasks -> Postgres 5432 and Redis 6379. The rules are
        // stored with the service, so a service in a later stack needs nothing from earlier
        // stacks but their exported ids.
        platform
            .alb
            .route(&mut service, Route::path(path).health_check_path("/health"))?;
        platform.database.grant_connect(&mut service);
        platform.cache.grant_connect(&mut service);

        Ok(Microservice {
            service,
            config,
            credentials,
        })
    }

    /// The service's name.
    pub fn name(&self) -> &str {
        self.service.name()
    }
}

/// Grants to a microservice go to its task role (the permissions of the application code).
impl Grantee for Microservice {
    fn grant(&mut self, statement: CheckedStatement) -> Grant {
        self.service.grant(statement)
    }
}
