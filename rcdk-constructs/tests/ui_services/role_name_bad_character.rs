// A space is not allowed in an IAM role name.
fn main() {
    let _name = rcdk_constructs::role_name!("learner ecs role");
}
