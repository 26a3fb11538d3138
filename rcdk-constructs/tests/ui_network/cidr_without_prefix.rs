// A CIDR without its prefix length is refused.
use rcdk_constructs::cidr;

fn main() {
    let _vpc = cidr!("10.0.0.0");
}
