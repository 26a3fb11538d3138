// `InstanceTenancy` is an enum: a free string is refused.
use rcdk_constructs::cfn::ec2::Vpc;

fn main() {
    let _vpc = Vpc::new().instance_tenancy("dedicated");
}
