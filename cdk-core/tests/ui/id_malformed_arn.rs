use cdk_core::id;
use cdk_core::kind::RoleArn;

fn main() {
    // An STS session ARN is not a role ARN.
    let _role = id!(RoleArn, "arn:aws:sts::123456789012:assumed-role/web/session");
}
