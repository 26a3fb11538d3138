use rcdk_core::id;
use rcdk_core::kind::VpcId;

fn main() {
    // A subnet id where a VPC id goes.
    let _vpc = id!(VpcId, "subnet-0abc1234");
}
