// A subnet literal must be a network address: 10.0.1.5/24 is refused.
use rcdk_constructs::cidr;

fn main() {
    let _subnet = cidr!("10.0.1.5/24");
}
