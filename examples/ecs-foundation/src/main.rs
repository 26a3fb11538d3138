//! Seed 001 ("AWS VPC to ECS, Day 3: IAM roles, SSM and ECS cluster") as one app of three
//! stacks: `AWSLearner-SSM-Stack` (the image parameter), `AWSLearner-Cluster-Stack` (a Fargate
//! cluster and the log group its tasks write to) and `AWSLearner-IAM-Stack` (the execution
//! role, the task role and the CodeBuild role). The stacks keep the document's parameters and
//! its `Name` / `TeamName` / `Environment` tags, but the roles no longer hold `ecs:*` on `*`:
//! each gets exactly what it uses, on resources referenced across stacks instead of names
//! typed by hand.

use rcdk::core::{Aspect, AspectNode, TagFormat};
use rcdk::prelude::*;
use std::process::ExitCode;

/// Tags every taggable resource of a stack with values that may be parameter references (the
/// core `Tags` aspect takes literals only).
struct ParameterTags(Vec<(&'static str, Val<String>)>);

impl Aspect for ParameterTags {
    fn visit(&mut self, node: &mut AspectNode<'_>) {
        let Some(core) = node.resource() else { return };
        let format = core.tag_format();
        for (key, value) in &self.0 {
            match format {
                TagFormat::List => {
                    let mut tags = match core.props.remove("Tags") {
                        Some(Value::List(items)) => items,
                        _ => Vec::new(),
                    };
                    tags.push(Tag::new(*key, value.clone()).into());
                    core.props.set("Tags", Value::List(tags));
                }
                TagFormat::Map => {
                    let mut tags = match core.props.remove("Tags") {
                        Some(Value::Map(m)) => m,
                        _ => Default::default(),
                    };
                    tags.insert(key.to_string(), value.value().clone());
                    core.props.set("Tags", Value::Map(tags));
                }
                TagFormat::None => {}
            }
        }
    }
}

/// The document's two tag parameters, as each of its stacks declares them.
fn tag_parameters() -> (Parameter<String>, Parameter<String>) {
    (
        Parameter::<String>::new()
            .description("TeamName Tag Value")
            .default("awslearner")
            .logical_id("TeamNameValue"),
        Parameter::<String>::new()
            .description("Environment Tag Value")
            .default("dev")
            .logical_id("EnvironmentValue"),
    )
}

/// A role-name parameter: the default is checked at compile time by `role_name!`, an override
/// at deployment by the pattern.
fn role_name_parameter(id: &str, default: RoleNameText) -> Parameter<String> {
    Parameter::<String>::new()
        .description("Name of IAM Role")
        .default(default.as_str())
        .allowed_pattern(r"[\w+=,.@-]{1,64}")
        .constraint_description("1-64 letters, digits and + = , . @ _ -")
        .logical_id(id)
}

fn app() -> Result<App, ConstructError> {
    // --- SSM stack: the image URI that the build writes and the service deploys.
    let (team, env) = tag_parameters();
    let ssm_name = Parameter::<String>::new()
        .default("/learner/imagearn/value")
        .logical_id("SSMName");
    let mut image = SsmParameter::string(ssm_name.value(), "1").description("Image ARN");
    image.resource_mut().core_mut().set(
        "Tags",
        Value::Map(
            [("Name".to_string(), ssm_name.value().into_value())]
                .into_iter()
                .collect(),
        ),
    );
    let ssm_tags = ParameterTags(vec![
        ("TeamName", team.value()),
        ("Environment", env.value()),
    ]);

    // --- Cluster stack: Fargate cluster and the log group of its tasks.
    let (c_team, c_env) = tag_parameters();
    let cluster_name = Parameter::<String>::new()
        .description("Name of the ECS Cluster")
        .default("learner-cluster")
        .logical_id("ClusterName");
    let mut cluster = EcsCluster::new().named(cluster_name.value());
    cluster.resource_mut().core_mut().set(
        "Tags",
        Value::List(vec![Tag::new("Name", cluster_name.value()).into()]),
    );
    let task_logs = LogGroup::new()
        .named(fns::sub(
            "/ecs/${Cluster}",
            [("Cluster", cluster_name.value())],
        ))
        .retention(LogRetention::ONE_MONTH);
    let cluster_tags = ParameterTags(vec![
        ("TeamName", c_team.value()),
        ("Environment", c_env.value()),
    ]);

    // --- IAM stack.
    let (i_team, i_env) = tag_parameters();
    let role_name = role_name_parameter("RoleName", role_name!("learner-ecs-role"));
    let task_role_name =
        role_name_parameter("TaskRoleName", role_name!("learner-ecs-task-exc-role"));
    let build_role_name = role_name_parameter("BuildRoleName", role_name!("learner-build-role"));
    let policy_name = Parameter::<String>::new()
        .description("Name of IAM Policy")
        .default("learner-ecs-permission-policy")
        .logical_id("PolicyName");
    let policy_name1 = Parameter::<String>::new()
        .description("Name of IAM Policy")
        .default("learner-ecs-policy")
        .logical_id("PolicyName1");

    // The document's `ECSRole` is what the application runs as (the task role), its
    // `ECSTaskExecutionRole` what the agent uses (the execution role).
    let mut roles = TaskRoles::named_at_deploy_time(task_role_name.value(), role_name.value())
        .with_task_role(|r| r.inline_policy_name(policy_name.value()))
        .with_execution_role(|r| r.inline_policy_name(policy_name1.value()));
    roles.grant_ecr_pull(vec![fns::sub_plain(
        "arn:${AWS::Partition}:ecr:${AWS::Region}:${AWS::AccountId}:repository/learner-app",
    )]);
    roles.grant_log_writes(task_logs.log_group_arn().into());
    // The application reads its own image parameter (it reports its version).
    image.grant_read(&mut roles);
    roles.grant_ecs_exec();

    let mut build = Role::assumed_by_service_for(
        "codebuild.amazonaws.com",
        fns::sub_plain(
            "arn:${AWS::Partition}:codebuild:${AWS::Region}:${AWS::AccountId}:project/*",
        ),
    )
    .named_at_deploy_time(build_role_name.value())
    .inline_policy_name("CodeBuildECRAccess")
    .description("CodeBuild: build and push the learner-app image, record its URI");
    build.grant(rcdk::constructs::iam::ecr_authorization_token().checked()?);
    let push = actions![
        "ecr:BatchCheckLayerAvailability",
        "ecr:CompleteLayerUpload",
        "ecr:InitiateLayerUpload",
        "ecr:PutImage",
        "ecr:UploadLayerPart",
    ];
    build.grant(
        Statement::allow(push)
            .on(fns::sub_plain(
                "arn:${AWS::Partition}:ecr:${AWS::Region}:${AWS::AccountId}:repository/learner-app",
            ))
            .checked()?,
    );
    let build_logs = LogGroup::new()
        .named("/aws/codebuild/learner-build")
        .retention(LogRetention::TWO_WEEKS);
    build_logs.grant_write(&mut build);
    image.grant_write(&mut build);

    roles.task_role_mut().add_tag("Name", role_name.value());
    roles
        .execution_role_mut()
        .add_tag("Name", task_role_name.value());
    build.add_tag("Name", build_role_name.value());
    let iam_tags = ParameterTags(vec![
        ("TeamName", i_team.value()),
        ("Environment", i_env.value()),
    ]);
    let outputs = Group::new()
        .with(
            "ExecutionRoleArn",
            Output::new(roles.execution_role().arn())
                .description("Execution role for the learner tasks")
                .export(fns::sub_plain("${AWS::StackName}-ExecutionRoleArn")),
        )
        .with(
            "TaskRoleArn",
            Output::new(roles.task_role().arn())
                .description("Task role of the learner application")
                .export(fns::sub_plain("${AWS::StackName}-TaskRoleArn")),
        );

    let ssm_stack = Stack::new("Ssm")
        .stack_name("AWSLearner-SSM-Stack")
        .description("Creating SSM Parameters for Learning Purpose")
        .aspect(ssm_tags)
        .with("TeamNameValue", team)
        .with("EnvironmentValue", env)
        .with("SSMName", ssm_name)
        .with("ImageSSM", image);
    let cluster_stack = Stack::new("Cluster")
        .stack_name("AWSLearner-Cluster-Stack")
        .description("Creating ECS Cluster for Learning Purpose")
        .aspect(cluster_tags)
        .with("TeamNameValue", c_team)
        .with("EnvironmentValue", c_env)
        .with("ClusterName", cluster_name)
        .with("ECSCluster", cluster)
        .with("TaskLogs", task_logs);
    let iam_stack = Stack::new("Iam")
        .stack_name("AWSLearner-IAM-Stack")
        .description("Creating IAM Roles for Learning Purpose")
        .aspect(iam_tags)
        .with("RoleName", role_name)
        .with("TaskRoleName", task_role_name)
        .with("BuildRoleName", build_role_name)
        .with("PolicyName", policy_name)
        .with("PolicyName1", policy_name1)
        .with("TeamNameValue", i_team)
        .with("EnvironmentValue", i_env)
        .with("EcsRoles", roles)
        .with("CodeBuildRole", build)
        .with("BuildLogs", build_logs)
        .with("Outputs", outputs);
    Ok(App::new()
        .with(ssm_stack)
        .with(cluster_stack)
        .with(iam_stack))
}

fn main() -> ExitCode {
    app().run()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_pass_cfn_lint() {
        let dir = tempfile::tempdir().unwrap();
        let assembly = app().unwrap().synth().unwrap();
        assembly.write(dir.path()).unwrap();
        let files: Vec<_> = assembly
            .stacks
            .iter()
            .map(|s| dir.path().join(&s.file_name))
            .collect();
        assert_eq!(files.len(), 3);
        rcdk_testkit::lint::cfn_lint(&files).unwrap();
    }

    #[test]
    fn stacks_are_linked_by_references_and_deploy_in_order() {
        let assembly = app().unwrap().synth().unwrap();
        let order: Vec<&str> = assembly.stacks.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(order.last(), Some(&"AWSLearner-IAM-Stack"));
        let iam = assembly.stack("Iam").unwrap();
        let mut deps = iam.dependencies.clone();
        deps.sort();
        assert_eq!(deps, ["Cluster", "Ssm"]);
        let text = iam.text.clone();
        assert!(text.contains("Fn::ImportValue"), "{text}");
        assert!(!text.contains("ecs:*"));
    }

    #[test]
    fn the_roles_hold_no_wildcard_beyond_the_unavoidable_ones() {
        let assembly = app().unwrap().synth().unwrap();
        let t = assembly.stack("Iam").unwrap().template_json();
        for (id, r) in t["Resources"].as_object().unwrap() {
            if r["Type"] != "AWS::IAM::Policy" {
                continue;
            }
            for st in r["Properties"]["PolicyDocument"]["Statement"]
                .as_array()
                .unwrap()
            {
                if st["Resource"] == "*" {
                    let actions = serde_json::to_string(&st["Action"]).unwrap();
                    assert!(
                        actions == "\"ecr:GetAuthorizationToken\""
                            || actions.contains("ssmmessages:"),
                        "{id}: {actions} on *"
                    );
                }
            }
        }
    }
}
