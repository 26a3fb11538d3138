//! Step 7 of seed 003: the four IAM roles, with the document's AWS managed policies
//! (`AmazonS3FullAccess`, `AmazonSQSFullAccess`, `AmazonCognitoPowerUser`,
//! `AmazonSSMReadOnlyAccess`, `AmazonEC2ContainerRegistryReadOnly`, `CloudWatchLogsFullAccess`,
//! `AmazonECSTaskExecutionRolePolicy`) replaced by grants on the application's own bucket,
//! queue, parameters, image repositories and log groups.
//!
//! The roles' names are generated, not the document's `aws-elasticbeanstalk-ec2-role`,
//! `aws-elasticbeanstalk-service-role` and `ecsTaskExecutionRole`: those are the account-wide
//! defaults that the Elastic Beanstalk and ECS consoles create, so they often exist already
//! (creating them again fails) and other applications may rely on their permissions. The
//! stack's outputs give the names to configure in the environment and the task definition.

use rcdk::constructs::cfn::iam::InstanceProfile;
use rcdk::prelude::*;

/// The application's resources that the roles are scoped to.
#[derive(Construct)]
pub struct AppResources {
    /// Uploaded invoices and the OCR results.
    invoices: Bucket,
    /// Jobs from the backend to the OCR service.
    ocr_jobs: Queue,
    /// The OCR containers' logs.
    ocr_logs: LogGroup,
}

impl AppResources {
    /// The bucket, the queue (with a dead-letter queue) and the log group (30 days).
    pub fn new() -> Result<AppResources, ConstructError> {
        Ok(AppResources {
            invoices: Bucket::new(),
            ocr_jobs: Queue::new().with_dead_letter_queue(5)?,
            ocr_logs: LogGroup::new().retention(LogRetention::ONE_MONTH),
        })
    }
}

/// The four roles of step 7 and the backend's instance profile.
#[derive(Construct)]
pub struct Roles {
    /// 7.1: the backend's EC2 instances (Elastic Beanstalk compute).
    eb_ec2: Role,
    /// What an Elastic Beanstalk environment takes: the profile wrapping `eb_ec2`.
    eb_instance_profile: InstanceProfile,
    /// 7.2: Elastic Beanstalk itself.
    eb_service: Role,
    /// 7.3 and 7.4: the OCR task's execution role and task role.
    ocr: TaskRoles,
}

fn arn(text: &str) -> Val<String> {
    fns::sub_plain(text)
}

/// ECR read-only (`AmazonEC2ContainerRegistryReadOnly`), for one repository only.
fn ecr_pull(role: &mut Role, repository: &str) -> Result<(), ConstructError> {
    // Kept from the document on purpose: `ecr:GetAuthorizationToken` has no resource type, so
    // `*` is the only resource IAM accepts for it.
    role.grant(rcdk::constructs::iam::ecr_authorization_token().checked()?);
    let pull = Statement::allow(actions![
        "ecr:BatchCheckLayerAvailability",
        "ecr:BatchGetImage",
        "ecr:GetDownloadUrlForLayer",
    ])
    .on(arn(&format!(
        "arn:${{AWS::Partition}}:ecr:${{AWS::Region}}:${{AWS::AccountId}}:repository/{repository}"
    )));
    role.grant(pull.checked()?);
    Ok(())
}

impl Roles {
    /// The roles, granted access to `resources` only.
    pub fn new(resources: &AppResources) -> Result<Roles, ConstructError> {
        // 7.1, trusted entity "Elastic Beanstalk - Compute": the instances' role, assumed by EC2.
        let mut eb_ec2 = Role::assumed_by_service("ec2.amazonaws.com")
            .description("smartinvoice backend instances (Elastic Beanstalk)");
        // AmazonS3FullAccess -> read and write the invoices bucket.
        resources.invoices.grant_read_write(&mut eb_ec2);
        // AmazonSQSFullAccess -> send OCR jobs.
        resources.ocr_jobs.grant_send(&mut eb_ec2);
        // AmazonSSMReadOnlyAccess -> the backend's parameters only.
        ParameterPath::new("/smartinvoice/backend")?.grant_read(&mut eb_ec2);
        // AmazonEC2ContainerRegistryReadOnly -> the backend's image repository only.
        ecr_pull(&mut eb_ec2, "smartinvoice-backend")?;
        // AmazonCognitoPowerUser (every Cognito action, on every resource) -> the user
        // administration a backend does, on the user pools of this account and region. The
        // pool is created in a later step of the guide; replace `userpool/*` by its ARN then.
        let cognito = Statement::allow(actions![
            "cognito-idp:AdminCreateUser",
            "cognito-idp:AdminDeleteUser",
            "cognito-idp:AdminGetUser",
            "cognito-idp:AdminInitiateAuth",
            "cognito-idp:AdminRespondToAuthChallenge",
            "cognito-idp:AdminUpdateUserAttributes",
            "cognito-idp:ListUsers",
        ])
        .on(arn(
            "arn:${AWS::Partition}:cognito-idp:${AWS::Region}:${AWS::AccountId}:userpool/*",
        ))
        .wildcards_because(
            "user administration on the user pools of this account and region: the pool is \
             created in a later step of the guide, and its ARN replaces `userpool/*` then",
        );
        eb_ec2.grant(cognito.checked()?);
        // CloudWatchLogsFullAccess -> streaming instance logs to Elastic Beanstalk's own log
        // groups (what the AWSElasticBeanstalkWebTier policy grants for logs).
        let logs = Statement::allow(actions![
            "logs:CreateLogGroup",
            "logs:CreateLogStream",
            "logs:DescribeLogStreams",
            "logs:PutLogEvents",
            "logs:PutRetentionPolicy",
        ])
        .on(arn(
            "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:/aws/elasticbeanstalk/*",
        ))
        .wildcards_because(
            "Elastic Beanstalk's own log groups (`/aws/elasticbeanstalk/*`): the platform names \
             them after the environment when it creates it, as AWSElasticBeanstalkWebTier grants",
        );
        eb_ec2.grant(logs.checked()?);
        let eb_instance_profile = InstanceProfile::new(vec![eb_ec2.role_name()]);

        // 7.2: the document's choice is kept on purpose. These two AWS managed policies are
        // the service role's documented permissions, maintained by AWS as Elastic Beanstalk's
        // health reporting and managed platform updates change; a hand-scoped copy would break
        // silently at the next platform update. Neither grants access to application data.
        let mut eb_service = Role::assumed_by_service("elasticbeanstalk.amazonaws.com")
            .description("Elastic Beanstalk service role: enhanced health, managed updates");
        eb_service.attach_aws_managed_policy(
            "service-role/AWSElasticBeanstalkEnhancedHealth",
            "the Elastic Beanstalk service role's documented policy for enhanced health \
             reporting, maintained by AWS as the platform changes; no application data",
        );
        eb_service.attach_aws_managed_policy(
            "AWSElasticBeanstalkManagedUpdatesCustomerRolePolicy",
            "the Elastic Beanstalk service role's documented policy for managed platform \
             updates, maintained by AWS as the platform changes; no application data",
        );

        // 7.3 and 7.4: ECS task roles (trusting ECS tasks of this account and region only).
        let mut ocr = TaskRoles::new();
        // AmazonECSTaskExecutionRolePolicy + CloudWatchLogsFullAccess -> pull the OCR image
        // and write to the OCR log group.
        ocr.grant_ecr_pull(vec![arn(
            "arn:${AWS::Partition}:ecr:${AWS::Region}:${AWS::AccountId}:repository/smartinvoice-ocr",
        )]);
        ocr.grant_log_writes(resources.ocr_logs.log_group_arn().into());
        // The task role (grants on `TaskRoles` go to it): AmazonS3FullAccess -> the invoices
        // bucket; AmazonSQSFullAccess -> consume OCR jobs; AmazonSSMReadOnlyAccess -> the OCR
        // service's parameters.
        resources.invoices.grant_read_write(&mut ocr);
        resources.ocr_jobs.grant_consume(&mut ocr);
        ParameterPath::new("/smartinvoice/ocr")?.grant_read(&mut ocr);

        Ok(Roles {
            eb_ec2,
            eb_instance_profile,
            eb_service,
            ocr,
        })
    }

    /// The stack's outputs: what the Elastic Beanstalk environment and the ECS task definition
    /// are configured with.
    pub fn outputs(&self) -> Group {
        Group::new()
            .with(
                "EbInstanceProfileName",
                Output::new(self.eb_instance_profile.ref_())
                    .description("Instance profile of the backend's Elastic Beanstalk environment"),
            )
            .with(
                "EbServiceRoleArn",
                Output::new(self.eb_service.arn()).description("Elastic Beanstalk service role"),
            )
            .with(
                "OcrExecutionRoleArn",
                Output::new(self.ocr.execution_role().arn())
                    .description("executionRoleArn of the OCR task definition"),
            )
            .with(
                "OcrTaskRoleArn",
                Output::new(self.ocr.task_role().arn())
                    .description("taskRoleArn of the OCR task definition"),
            )
    }
}
