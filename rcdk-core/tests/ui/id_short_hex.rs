use rcdk_core::id;
use rcdk_core::kind::SecurityGroupId;

fn main() {
    // Security group ids have 8 or 17 hex digits.
    let _sg = id!(SecurityGroupId, "sg-123");
}
