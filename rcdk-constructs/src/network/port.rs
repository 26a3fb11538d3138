//! Protocols and ports for security-group and network-ACL rules.

use std::fmt;

use crate::error::ConstructError;

/// The protocol of a rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Protocol {
    /// TCP (protocol number 6).
    Tcp,
    /// UDP (17).
    Udp,
    /// ICMP (1).
    Icmp,
    /// Every protocol (-1).
    All,
}

impl Protocol {
    /// The name security-group rules use (`IpProtocol`).
    pub fn sg_name(self) -> &'static str {
        match self {
            Protocol::Tcp => "tcp",
            Protocol::Udp => "udp",
            Protocol::Icmp => "icmp",
            Protocol::All => "-1",
        }
    }

    /// The protocol number network-ACL entries use (`Protocol`).
    pub fn number(self) -> i64 {
        match self {
            Protocol::Tcp => 6,
            Protocol::Udp => 17,
            Protocol::Icmp => 1,
            Protocol::All => -1,
        }
    }
}

/// What a rule admits: a protocol and a port range (for ICMP, a type and a code; -1 = all).
///
/// ```
/// use rcdk_constructs::network::Port;
/// assert_eq!(Port::tcp(5432).to_string(), "tcp 5432");
/// assert_eq!(Port::EPHEMERAL.to_string(), "tcp 1024-65535");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Port {
    protocol: Protocol,
    from: i32,
    to: i32,
}

impl Port {
    /// The ephemeral ports (1024-65535) that return traffic of TCP connections uses.
    pub const EPHEMERAL: Port = Port {
        protocol: Protocol::Tcp,
        from: 1024,
        to: 65535,
    };

    /// One TCP port.
    pub const fn tcp(port: u16) -> Port {
        Port {
            protocol: Protocol::Tcp,
            from: port as i32,
            to: port as i32,
        }
    }

    /// A TCP port range, `from` to `to` inclusive.
    pub fn tcp_range(from: u16, to: u16) -> Result<Port, ConstructError> {
        Port::range(Protocol::Tcp, from, to)
    }

    /// Every TCP port.
    pub const fn all_tcp() -> Port {
        Port {
            protocol: Protocol::Tcp,
            from: 0,
            to: 65535,
        }
    }

    /// One UDP port.
    pub const fn udp(port: u16) -> Port {
        Port {
            protocol: Protocol::Udp,
            from: port as i32,
            to: port as i32,
        }
    }

    /// A UDP port range, `from` to `to` inclusive.
    pub fn udp_range(from: u16, to: u16) -> Result<Port, ConstructError> {
        Port::range(Protocol::Udp, from, to)
    }

    /// Every UDP port.
    pub const fn all_udp() -> Port {
        Port {
            protocol: Protocol::Udp,
            from: 0,
            to: 65535,
        }
    }

    /// ICMP of one type, any code (e.g. 8 = echo request).
    pub const fn icmp_type(icmp_type: u8) -> Port {
        Port {
            protocol: Protocol::Icmp,
            from: icmp_type as i32,
            to: -1,
        }
    }

    /// ICMP of one type and code.
    pub const fn icmp(icmp_type: u8, code: u8) -> Port {
        Port {
            protocol: Protocol::Icmp,
            from: icmp_type as i32,
            to: code as i32,
        }
    }

    /// Every ICMP type and code.
    pub const fn all_icmp() -> Port {
        Port {
            protocol: Protocol::Icmp,
            from: -1,
            to: -1,
        }
    }

    /// Every protocol and port.
    pub const fn all_traffic() -> Port {
        Port {
            protocol: Protocol::All,
            from: -1,
            to: -1,
        }
    }

    fn range(protocol: Protocol, from: u16, to: u16) -> Result<Port, ConstructError> {
        if from > to {
            return Err(ConstructError::ReversedPortRange { from, to });
        }
        Ok(Port {
            protocol,
            from: from.into(),
            to: to.into(),
        })
    }

    /// The protocol.
    pub fn protocol(self) -> Protocol {
        self.protocol
    }

    /// First port (ICMP: the type; -1 = all).
    pub fn from_port(self) -> i32 {
        self.from
    }

    /// Last port (ICMP: the code; -1 = all).
    pub fn to_port(self) -> i32 {
        self.to
    }

    /// A short id fragment for construct ids: `Tcp3000`, `Tcp1024To65535`, `IcmpType8`, `All`.
    pub fn id_fragment(self) -> String {
        match self.protocol {
            Protocol::All => "AllTraffic".into(),
            Protocol::Icmp if self.from == -1 => "AllIcmp".into(),
            Protocol::Icmp if self.to == -1 => format!("IcmpType{}", self.from),
            Protocol::Icmp => format!("IcmpType{}Code{}", self.from, self.to),
            p => {
                let name = if p == Protocol::Tcp { "Tcp" } else { "Udp" };
                if self.from == self.to {
                    format!("{name}{}", self.from)
                } else {
                    format!("{name}{}To{}", self.from, self.to)
                }
            }
        }
    }
}

impl fmt::Display for Port {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.protocol {
            Protocol::All => f.write_str("all traffic"),
            Protocol::Icmp if self.from == -1 => f.write_str("all ICMP"),
            Protocol::Icmp if self.to == -1 => write!(f, "ICMP type {}", self.from),
            Protocol::Icmp => write!(f, "ICMP type {} code {}", self.from, self.to),
            p => {
                let name = p.sg_name();
                if self.from == self.to {
                    write!(f, "{name} {}", self.from)
                } else {
                    write!(f, "{name} {}-{}", self.from, self.to)
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_ranges() {
        assert_eq!(Port::tcp(3000).id_fragment(), "Tcp3000");
        assert_eq!(Port::EPHEMERAL.id_fragment(), "Tcp1024To65535");
        assert_eq!(Port::udp_range(53, 54).unwrap().to_string(), "udp 53-54");
        assert_eq!(Port::icmp_type(8).to_string(), "ICMP type 8");
        assert_eq!(Port::all_traffic().protocol().sg_name(), "-1");
        assert_eq!(Port::all_traffic().protocol().number(), -1);
        let err = Port::tcp_range(2000, 1000).unwrap_err().to_string();
        assert!(
            err.contains("2000-1000") && err.contains("lower port first"),
            "{err}"
        );
    }
}
