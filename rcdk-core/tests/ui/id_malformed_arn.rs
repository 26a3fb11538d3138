use rcdk_core::id;
use rcdk_core::kind::RoleArn;

fn main() {
    // An STS session ARN is not a role ARN.
    let _role = id!(RoleArn, "arn:aws:sts::123456789012:assumed-role/web/session");
}
