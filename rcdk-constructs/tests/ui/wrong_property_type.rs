// `EnableDnsHostnames` is a boolean: a string is refused.
use rcdk_constructs::cfn::ec2::Vpc;

fn main() {
    let _vpc = Vpc::new()
        .cidr_block("10.0.0.0/16")
        .enable_dns_hostnames("yes");
}
