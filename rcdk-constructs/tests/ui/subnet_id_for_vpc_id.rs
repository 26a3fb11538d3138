// A subnet's id where a VPC id is required.
use rcdk_constructs::cfn::ec2::{SecurityGroup, Subnet, Vpc};

fn main() {
    let vpc = Vpc::new().cidr_block("10.0.0.0/16");
    let subnet = Subnet::new(vpc.ref_()).cidr_block("10.0.0.0/24");
    let _sg = SecurityGroup::new("web").vpc_id(subnet.ref_());
}
