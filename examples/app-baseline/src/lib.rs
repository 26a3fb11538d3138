//! Seed document 004, the lecture "Cloud Networking, Storage, and Identity": the system its
//! "Takeaways" describe, as one stack.
//!
//! - "Networking: VPCs, Subnets, and Security", "VPCs and Subnets": a custom VPC (not the
//!   default one) of 10.0.0.0/16 in two AZs, public subnets for the load balancer, private
//!   subnets for the application with a NAT gateway per AZ (the seed's diagram: NAT A and NAT
//!   B), and a separate data tier with no route to the internet at all ([`network`]). The S3
//!   gateway endpoint (free) carries ECR's image layers and the backups to S3 without the NAT.
//! - "Security Groups", the three tables: the load balancer admits HTTP from the internet and
//!   reaches the instances on 8080 only; the instances admit 8080 from the load balancer's group
//!   only and reach Postgres on 5432 and HTTPS out; Postgres admits 5432 from the application
//!   tier's group (and the nightly job's) only. Rules between groups, never CIDRs. The seed's
//!   443 listener needs a certificate for a domain of yours:
//!   `ApplicationLoadBalancer::builder(&vpc).certificate(arn)` adds it and redirects 80.
//! - "Horizontal Scaling with Auto Scaling Groups": a launch template and an auto scaling group
//!   of 2 to 6 instances (the seed's diagram) in the private subnets, scaled on average CPU,
//!   replaced one at a time when the template changes, checked by the load balancer.
//! - "Key Pairs and SSH Authentication", "Instance Families and Types": no key pair and no port
//!   22 anywhere; shell access through Session Manager, whose agent reaches AWS through the NAT
//!   gateways. `t3.small` in standard credit mode, so that a sustained load shows as throttling
//!   and not as surplus-credit charges.
//! - "Roles and Instance Profiles": an instance profile around a role that may pull the app's
//!   image from its ECR repository and read the configuration bucket, nothing else beyond
//!   Session Manager; IMDSv2 only (hop limit 2, so that the app's container on the host can
//!   reach the credentials through Docker's bridge).
//! - "Amazon Machine Images", "Elastic Block Store": Amazon Linux 2023 from AWS's public SSM
//!   parameter, resolved at deployment; an encrypted 30 GiB gp3 root volume.
//! - "Container Registries: ECR": a private repository, scanned on push, with immutable tags
//!   (a version tag always names the same image, so a rollback runs what ran before) and a
//!   lifecycle; the instances log in with their instance profile and run a version tag.
//! - "Resource-Based Policies" (the CI paragraph) and the Takeaways' first paragraph: GitHub
//!   Actions' OIDC provider and a role for one repository's `main` branch, one-hour sessions,
//!   that may push to that repository only: no access key stored anywhere.
//! - "Simple Storage Service" and the Takeaways: a backups bucket whose dumps move to Glacier
//!   after 30 days and expire after a year; a nightly Rust Lambda function in the private
//!   subnets, allowed to reach the database and to write dumps there.
//! - "Billing Alerts": a monthly budget with alerts at several thresholds of actual and
//!   forecasted spend, to an email address and an SNS topic.
//!
//! `cargo run -p app-baseline -- synth` writes `cdk.out/` and prints the fixed monthly costs
//! (instances, EBS, NAT gateways, load balancer, RDS).

use rcdk::constructs::ecr::{self, IRepository, Repository};
use rcdk::constructs::iam::OidcProvider;
use rcdk::prelude::*;

pub mod network;

/// The GitHub repository whose `main` branch builds and pushes the app's image.
pub const CI_REPOSITORY: &str = "acme/shop";

/// The branch of [`CI_REPOSITORY`] allowed to push.
pub const CI_BRANCH: &str = "main";

/// The version tag of the image the instances run. Deploying another one is changing this
/// constant: the launch template changes and the group replaces its instances one by one.
pub const APP_VERSION: &str = "v1.0.0";

/// The port the application listens on (the seed's 8080).
pub const APP_PORT: u16 = 8080;

/// The path the load balancer checks on each instance.
pub const HEALTH_CHECK_PATH: &str = "/health";

/// Where the nightly job writes (the lifecycle applies to this prefix).
pub const DUMPS_PREFIX: &str = "dumps/";

/// The database user the nightly job logs in as with an IAM token (created in the database
/// with `GRANT rds_iam TO nightly_dump`, and read-only grants).
pub const DUMP_DB_USER: &str = "nightly_dump";

/// The monthly budget, in dollars: the fixed costs printed at synthesis are about 167 USD,
/// traffic and storage come on top.
pub const BUDGET_USD: u64 = 250;

/// Who gets the billing alerts by email.
pub const BILLING_EMAIL: &str = "billing-alerts@example.com";

/// The CI side: GitHub's OIDC provider and the role its workflows assume.
#[derive(Construct)]
pub struct Ci {
    provider: OidcProvider,
    role: GithubActionsRole,
}

/// Seed 004's baseline.
#[derive(Construct)]
pub struct Baseline {
    vpc: TieredVpc,
    alb: ApplicationLoadBalancer,
    /// The load balancer's access logs: every request that reaches the system is recorded.
    alb_logs: Bucket,
    app: AutoScalingGroup,
    database: PostgresDatabase,
    /// The app's images.
    images: Repository,
    /// The app's configuration, read by the instances at boot.
    config: Bucket,
    ci: Ci,
    backups: Bucket,
    nightly_dump: Function<InVpc>,
    budget: MonthlyBudget,
}

/// The first-boot script: Docker, a login to the registry with the instance profile's
/// credentials (no stored password), and the app's container on 8080, restarted if it stops.
fn user_data(images: &Repository, config: &Bucket) -> UserData {
    let registry = fns::sub_plain("${AWS::AccountId}.dkr.ecr.${AWS::Region}.${AWS::URLSuffix}");
    let image = fns::join(
        "",
        vec![
            images.repository_uri(),
            Val::from(format!(":{APP_VERSION}")),
        ],
    );
    UserData::shell()
        .command("dnf install -y docker")
        .command("systemctl enable --now docker")
        .command(fns::join(
            "",
            vec![
                Val::from("aws ecr get-login-password --region "),
                fns::region(),
                Val::from(" | docker login --username AWS --password-stdin "),
                registry,
            ],
        ))
        .command(fns::join(
            "",
            vec![
                Val::from(format!(
                    "docker run -d --restart always -p {APP_PORT}:{APP_PORT} -e CONFIG_BUCKET="
                )),
                config.bucket_name().into(),
                Val::from(" "),
                image,
            ],
        ))
}

/// Builds the app: one stack, `AppBaseline`.
pub fn build_app() -> Result<App, ConstructError> {
    let vpc = network::vpc()?;

    // Containers and CI: the registry first, since the instances and the CI role name it.
    let images = Repository::new().lifecycle([
        // Failed or replaced pushes leave untagged images; version tags never move.
        ecr::LifecycleRule::ExpireUntaggedAfterDays(7),
        // Room for every release of a long while, so a rollback always finds its image.
        ecr::LifecycleRule::KeepLast(100),
    ])?;
    let config = Bucket::new();

    // The app tier.
    let template = LaunchTemplate::builder("app", &vpc, InstanceType::T3_SMALL)
        .root_volume(Gp3Volume::gib(30)?)
        // The app's container reads the configuration bucket with the instance role, one hop
        // further than the host, behind Docker's bridge.
        .metadata_hop_limit(2)
        .user_data(user_data(&images, &config))
        .build()?;
    let mut app = AutoScalingGroup::builder(&vpc, template)
        .size(2, 6)
        .cpu_target_percent(60)
        .traffic_port(APP_PORT)
        .build()?;
    images.grant_pull(&mut app);
    config.grant_read(&mut app);

    // The load balancer forwards to the instances on 8080, and nothing else reaches them.
    let mut alb_logs = Bucket::for_load_balancer_logs();
    let mut alb = ApplicationLoadBalancer::builder(&vpc)
        .access_logs(&mut alb_logs, "alb")?
        .build()?;
    alb.route(
        &mut app,
        Route::path("/*").health_check_path(HEALTH_CHECK_PATH),
    )?;

    // The data tier admits the app tier.
    let mut database = PostgresDatabase::builder(&vpc)
        .database_name("app")
        .build()?;
    database.allow_connections_from(&app);

    // CI: GitHub Actions of one repository's main branch push images, nothing else.
    let provider = OidcProvider::github_actions();
    let mut ci_role = GithubActionsRole::new(&provider, CI_REPOSITORY)
        .branch(CI_BRANCH)
        .build()?;
    images.grant_push(&mut ci_role);

    // Backups: Glacier after 30 days, gone after a year. The bucket is versioned, so an
    // overwritten dump and the version an expiry leaves behind are deleted 30 days later:
    // recoverable for a month, never kept much past the year.
    let backups = Bucket::new().lifecycle_rule(
        LifecycleRule::new("DumpsToGlacierThenExpire")
            .prefix(DUMPS_PREFIX)
            .transition(StorageClass::Glacier, 30)
            .expire(365)
            .expire_noncurrent(30)
            .abort_incomplete_multipart_uploads(7),
    )?;

    // The nightly job: the workspace's dump function, in the private subnets next to the app
    // tier, reaching the database as its own user and S3 through the gateway endpoint. The
    // function (examples/nightly-job/function) writes the run's record to `dumps/<date>.json`;
    // the export itself would log in with DB_HOST, DB_PORT and DB_USER and an IAM token.
    let mut nightly_dump = Function::builder(Code::cargo_package("nightly-job-function")?)
        .description("Writes the nightly database dump to the backups bucket")
        .memory_mb(256)
        .timeout_seconds(300)
        .environment("BUCKET_NAME", backups.bucket_name())
        .environment("DB_HOST", database.endpoint_address())
        .environment("DB_PORT", database.endpoint_port())
        .environment("DB_USER", DUMP_DB_USER)
        .dead_letter_queue()
        .vpc(&vpc, SubnetSelection::Kind(TierKind::PrivateWithEgress))
        .build()?;
    database.allow_connections_from(&nightly_dump);
    database.grant_iam_connect(&mut nightly_dump, DUMP_DB_USER)?;
    // Writing new dumps under the prefix only: no deletes, no reads of older dumps.
    nightly_dump.grant(
        Statement::allow(actions!["s3:PutObject"])
            .on(fns::join(
                "",
                vec![
                    Val::<String>::from(backups.bucket_arn()),
                    Val::from(format!("/{DUMPS_PREFIX}*")),
                ],
            ))
            .wildcards_because(format!(
                "new dumps under `{DUMPS_PREFIX}` in the backups bucket: each run writes a key \
                 named after its date, so the keys are not known in advance"
            ))
            .checked()?,
    );
    nightly_dump.add_schedule(Schedule::daily_at(2, 0)?);

    // Billing alerts at several thresholds: half the budget spent, most of it spent, all of it
    // spent, and the month forecast to exceed it (the early warning).
    let budget = MonthlyBudget::builder(Usd::dollars(BUDGET_USD))
        .alert(Spend::Actual, 50)
        .alert(Spend::Actual, 80)
        .alert(Spend::Actual, 100)
        .alert(Spend::Forecasted, 100)
        .email(BILLING_EMAIL)
        .new_topic()
        .build()?;

    let url = Output::new(alb.dns_name()).description("Load balancer DNS name");
    let repository_uri =
        Output::new(images.repository_uri()).description("Where CI pushes the app's image");
    let ci_role_arn =
        Output::new(ci_role.arn()).description("The role-to-assume of the GitHub Actions workflow");

    let baseline = Baseline {
        vpc,
        alb,
        alb_logs,
        app,
        database,
        images,
        config,
        ci: Ci {
            provider,
            role: ci_role,
        },
        backups,
        nightly_dump,
        budget,
    };
    Ok(App::new().with(
        Stack::new("AppBaseline")
            .description(
                "Seed 004: EC2 app tier behind an ALB, Postgres, ECR, CI role, backups, budget",
            )
            .tag("project", "app-baseline")
            .with("Baseline", baseline)
            .with("Url", url)
            .with("RepositoryUri", repository_uri)
            .with("CiRoleArn", ci_role_arn),
    ))
}
