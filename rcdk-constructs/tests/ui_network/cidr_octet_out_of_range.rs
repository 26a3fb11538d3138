// A typo in a CIDR literal is caught by the compiler, not at deploy time.
use rcdk_constructs::cidr;

fn main() {
    let _subnet = cidr!("10.0.300.0/24");
}
