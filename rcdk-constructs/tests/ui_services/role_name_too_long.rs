// IAM role names are at most 64 characters; this one has 69.
fn main() {
    let _name = rcdk_constructs::role_name!(
        "learner-ecs-task-execution-role-for-the-user-service-in-production-eu"
    );
}
