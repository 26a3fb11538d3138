// A subnet without its required `VpcId`: `new` takes the required properties.
use rcdk_constructs::cfn::ec2::Subnet;

fn main() {
    let _subnet = Subnet::new().cidr_block("10.0.0.0/24");
}
