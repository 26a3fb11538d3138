//! IPv4 CIDR blocks: a `const fn` parser, the compile-time checked [`cidr!`](crate::cidr)
//! macro, and run-time parsing for computed values.

use std::fmt;
use std::str::FromStr;

use ipnet::Ipv4Net;

use crate::error::ConstructError;

/// An IPv4 CIDR block such as `10.0.0.0/16`, with no host bits set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Cidr {
    addr: u32,
    prefix: u8,
}

/// Why a CIDR text was rejected by [`Cidr::parse_const`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CidrParseError {
    /// Not four dot-separated numbers followed by `/prefix`.
    Shape,
    /// A number of the address is above 255.
    OctetTooLarge,
    /// The prefix length is above 32.
    PrefixTooLarge,
    /// Bits below the prefix are set (`10.0.1.5/24`).
    HostBitsSet,
}

impl CidrParseError {
    /// What is wrong, and what to write instead.
    pub const fn message(self) -> &'static str {
        match self {
            CidrParseError::Shape => {
                "invalid CIDR: expected four numbers 0-255 separated by dots, then '/' and a prefix length 0-32, e.g. 10.0.0.0/16"
            }
            CidrParseError::OctetTooLarge => {
                "invalid CIDR: a number of the address is above 255; each of the four numbers must be 0-255"
            }
            CidrParseError::PrefixTooLarge => {
                "invalid CIDR: the prefix length is above 32; IPv4 prefixes are 0-32"
            }
            CidrParseError::HostBitsSet => {
                "invalid CIDR: the address has bits set below the prefix length; use the network address (e.g. 10.0.1.0/24, not 10.0.1.5/24)"
            }
        }
    }
}

impl fmt::Display for CidrParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

/// A CIDR literal checked by the compiler: `cidr!("10.0.300.0/24")` does not build.
///
/// ```
/// use rcdk_constructs::cidr;
/// let vpc = cidr!("10.0.0.0/16");
/// assert_eq!(vpc.prefix(), 16);
/// ```
#[macro_export]
macro_rules! cidr {
    ($text:literal) => {{
        // A named constant rather than an inline `const { }` block: `cargo check` evaluates
        // const items, so the error shows in the editor too, not only in `cargo build`.
        const CIDR: $crate::network::Cidr = match $crate::network::Cidr::parse_const($text) {
            ::core::result::Result::Ok(cidr) => cidr,
            ::core::result::Result::Err(e) => ::core::panic!("{}", e.message()),
        };
        CIDR
    }};
}

impl Cidr {
    /// `0.0.0.0/0`: every IPv4 address.
    pub const ANY_IPV4: Cidr = Cidr { addr: 0, prefix: 0 };

    /// Parses `a.b.c.d/p` in a `const` context (used by [`cidr!`](crate::cidr)).
    pub const fn parse_const(text: &str) -> Result<Cidr, CidrParseError> {
        let bytes = text.as_bytes();
        let mut i = 0;
        let mut addr: u32 = 0;
        let mut octet = 0;
        while octet < 4 {
            let (value, next) = match number(bytes, i) {
                Some(v) => v,
                None => return Err(CidrParseError::Shape),
            };
            if value > 255 {
                return Err(CidrParseError::OctetTooLarge);
            }
            addr = (addr << 8) | value;
            i = next;
            let sep = if octet < 3 { b'.' } else { b'/' };
            if i >= bytes.len() || bytes[i] != sep {
                return Err(CidrParseError::Shape);
            }
            i += 1;
            octet += 1;
        }
        let (prefix, end) = match number(bytes, i) {
            Some(v) => v,
            None => return Err(CidrParseError::Shape),
        };
        if end != bytes.len() {
            return Err(CidrParseError::Shape);
        }
        if prefix > 32 {
            return Err(CidrParseError::PrefixTooLarge);
        }
        let cidr = Cidr {
            addr,
            prefix: prefix as u8,
        };
        if addr & !cidr.mask() != 0 {
            return Err(CidrParseError::HostBitsSet);
        }
        Ok(cidr)
    }

    /// Parses a computed CIDR at run time.
    pub fn parse(text: &str) -> Result<Cidr, ConstructError> {
        Cidr::parse_const(text.trim()).map_err(|e| ConstructError::InvalidCidr {
            text: text.to_string(),
            reason: e.message().trim_start_matches("invalid CIDR: ").to_string(),
        })
    }

    /// A block from its first address and prefix length; `None` if the prefix is above 32 or
    /// host bits are set.
    pub const fn new(addr: u32, prefix: u8) -> Option<Cidr> {
        if prefix > 32 {
            return None;
        }
        let cidr = Cidr { addr, prefix };
        if addr & !cidr.mask() != 0 {
            None
        } else {
            Some(cidr)
        }
    }

    /// The first address, as a number.
    pub const fn addr(self) -> u32 {
        self.addr
    }

    /// The prefix length.
    pub const fn prefix(self) -> u8 {
        self.prefix
    }

    /// How many addresses the block holds.
    pub const fn size(self) -> u64 {
        1u64 << (32 - self.prefix as u32)
    }

    /// The last address, as a number.
    pub const fn last(self) -> u32 {
        self.addr | !self.mask()
    }

    const fn mask(self) -> u32 {
        if self.prefix == 0 {
            0
        } else {
            u32::MAX << (32 - self.prefix as u32)
        }
    }

    /// Whether `other` lies entirely inside this block.
    pub const fn contains(self, other: Cidr) -> bool {
        other.addr >= self.addr && other.last() <= self.last()
    }

    /// Whether the two blocks share an address.
    pub const fn overlaps(self, other: Cidr) -> bool {
        self.addr <= other.last() && other.addr <= self.last()
    }

    /// The same block as an [`ipnet::Ipv4Net`].
    pub fn to_ipnet(self) -> Ipv4Net {
        // The prefix is at most 32 by construction.
        Ipv4Net::new(self.addr.into(), self.prefix).unwrap_or_default()
    }
}

/// Reads a decimal number of 1-3 digits (up to 2 for the prefix is checked by the caller's
/// range test) starting at `i`; returns it and the index after it.
const fn number(bytes: &[u8], mut i: usize) -> Option<(u32, usize)> {
    let start = i;
    let mut value: u32 = 0;
    while i < bytes.len() && bytes[i].is_ascii_digit() && i - start < 3 {
        value = value * 10 + (bytes[i] - b'0') as u32;
        i += 1;
    }
    if i == start || (i < bytes.len() && bytes[i].is_ascii_digit()) {
        None
    } else {
        Some((value, i))
    }
}

impl fmt::Display for Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let [a, b, c, d] = self.addr.to_be_bytes();
        write!(f, "{a}.{b}.{c}.{d}/{}", self.prefix)
    }
}

impl FromStr for Cidr {
    type Err = ConstructError;
    fn from_str(s: &str) -> Result<Cidr, ConstructError> {
        Cidr::parse(s)
    }
}

impl From<Ipv4Net> for Cidr {
    fn from(net: Ipv4Net) -> Cidr {
        let net = net.trunc();
        Cidr {
            addr: net.network().into(),
            prefix: net.prefix_len(),
        }
    }
}

impl From<Cidr> for rcdk_core::Val<String> {
    fn from(c: Cidr) -> Self {
        rcdk_core::Val::from(c.to_string())
    }
}

/// A CIDR given to a builder: a checked [`Cidr`] or text parsed when the builder runs, so that
/// computed values are reported by `build()` with the other errors.
pub trait IntoCidr {
    /// The block, or why the text is not one.
    fn into_cidr(self) -> Result<Cidr, ConstructError>;
}

impl IntoCidr for Cidr {
    fn into_cidr(self) -> Result<Cidr, ConstructError> {
        Ok(self)
    }
}
impl IntoCidr for &str {
    fn into_cidr(self) -> Result<Cidr, ConstructError> {
        Cidr::parse(self)
    }
}
impl IntoCidr for String {
    fn into_cidr(self) -> Result<Cidr, ConstructError> {
        Cidr::parse(&self)
    }
}
impl IntoCidr for &String {
    fn into_cidr(self) -> Result<Cidr, ConstructError> {
        Cidr::parse(self)
    }
}
impl IntoCidr for Ipv4Net {
    fn into_cidr(self) -> Result<Cidr, ConstructError> {
        Ok(self.into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints() {
        let c = Cidr::parse("10.0.1.0/24").unwrap();
        assert_eq!(c.to_string(), "10.0.1.0/24");
        assert_eq!(c.size(), 256);
        assert_eq!(crate::cidr!("10.0.0.0/16").prefix(), 16);
        assert_eq!(c.to_ipnet().to_string(), "10.0.1.0/24");
    }

    #[test]
    fn rejects_bad_text() {
        for (text, want) in [
            ("10.0.300.0/24", CidrParseError::OctetTooLarge),
            ("10.0.0/24", CidrParseError::Shape),
            ("10.0.0.0", CidrParseError::Shape),
            ("10.0.0.0/33", CidrParseError::PrefixTooLarge),
            ("10.0.1.5/24", CidrParseError::HostBitsSet),
            ("10.0.0.0/16x", CidrParseError::Shape),
            ("10.0.0.0000/16", CidrParseError::Shape),
            ("", CidrParseError::Shape),
        ] {
            assert_eq!(Cidr::parse_const(text), Err(want), "{text}");
        }
        let err = Cidr::parse("10.0.300.0/24").unwrap_err().to_string();
        assert!(
            err.contains("'10.0.300.0/24'") && err.contains("above 255"),
            "{err}"
        );
    }

    #[test]
    fn containment_and_overlap() {
        let vpc = Cidr::parse("10.0.0.0/16").unwrap();
        let a = Cidr::parse("10.0.1.0/24").unwrap();
        let b = Cidr::parse("10.0.1.128/25").unwrap();
        let outside = Cidr::parse("10.1.0.0/24").unwrap();
        assert!(vpc.contains(a) && !vpc.contains(outside));
        assert!(a.overlaps(b) && b.overlaps(a) && !a.overlaps(outside));
        assert!(Cidr::ANY_IPV4.contains(outside));
    }
}
