//! IP network functions: `cidrhost`, `cidrnetmask`, `cidrsubnet`, `cidrsubnets`, for IPv4 and
//! IPv6 (addresses held as `u128`, IPv4 in the low 32 bits).

use std::net::{Ipv4Addr, Ipv6Addr};

use super::{Call, Partial, Result};

#[derive(Clone, Copy)]
struct Network {
    address: u128,
    prefix: u32,
    /// 32 or 128.
    bits: u32,
}

impl Network {
    fn base(&self) -> u128 {
        let host_bits = self.bits - self.prefix;
        if host_bits >= 128 {
            0
        } else {
            self.address & !((1u128 << host_bits) - 1)
        }
    }

    fn address_text(&self, address: u128) -> String {
        if self.bits == 32 {
            Ipv4Addr::from(address as u32).to_string()
        } else {
            Ipv6Addr::from(address).to_string()
        }
    }
}

fn parse(call: &Call, text: &str) -> Partial<Network> {
    let invalid = || {
        call.error(&format!(
            "invalid CIDR expression: invalid CIDR address: {text}"
        ))
    };
    let (address, prefix) = text.split_once('/').ok_or_else(invalid)?;
    let (address, bits) = if let Some(v4) = parse_ipv4(address) {
        (u128::from(v4), 32)
    } else if let Ok(v6) = address.parse::<Ipv6Addr>() {
        // Go writes an IPv4-mapped address as IPv4, which this does not reproduce.
        if v6.to_ipv4_mapped().is_some() {
            return Err(call.unsupported("aksguard does not evaluate IPv4-mapped IPv6 networks"));
        }
        (u128::from(v6), 128)
    } else {
        return Err(invalid());
    };
    if prefix.is_empty() || prefix.len() > 3 || !prefix.bytes().all(|b| b.is_ascii_digit()) {
        return Err(invalid());
    }
    let prefix: u32 = prefix.parse().map_err(|_| invalid())?;
    if prefix > bits {
        return Err(invalid());
    }
    Ok(Network {
        address,
        prefix,
        bits,
    })
}

/// A dotted IPv4 address as Terraform reads it: four decimal parts of up to three digits, leading
/// zeros allowed (`010.0.0.1` is 10.0.0.1; Terraform keeps Go 1.16's reading).
fn parse_ipv4(text: &str) -> Option<u32> {
    let parts: Vec<&str> = text.split('.').collect();
    if parts.len() != 4 {
        return None;
    }
    let mut address = 0u32;
    for part in parts {
        if part.is_empty() || part.len() > 3 || !part.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let octet: u32 = part.parse().ok()?;
        if octet > 255 {
            return None;
        }
        address = (address << 8) | octet;
    }
    Some(address)
}

/// `2^bits`, saturating for the full IPv6 space.
fn count(bits: u32) -> u128 {
    if bits >= 128 {
        u128::MAX
    } else {
        1u128 << bits
    }
}

pub fn cidrhost(call: &Call) -> Result {
    call.arity(2, 2)?;
    let network = parse(call, &call.string(0)?)?;
    let host = call.integer(1)?;
    let host_bits = network.bits - network.prefix;
    let hosts = count(host_bits);
    let offset = if host < 0 {
        hosts.checked_sub(host.unsigned_abs() as u128)
    } else {
        Some(host as u128).filter(|h| *h < hosts)
    };
    let Some(offset) = offset else {
        return Err(call.error(&format!(
            "prefix of {} does not accommodate a host numbered {host}",
            network.prefix
        )));
    };
    call.string_value(network.address_text(network.base() | offset))
}

pub fn cidrnetmask(call: &Call) -> Result {
    call.arity(1, 1)?;
    let text = call.string(0)?;
    let network = parse(call, &text)?;
    if network.bits != 32 {
        return Err(call.error(&format!("IPv6 addresses cannot have a netmask: {text}")));
    }
    let mask = if network.prefix == 0 {
        0
    } else {
        u32::MAX << (32 - network.prefix)
    };
    call.string_value(Ipv4Addr::from(mask).to_string())
}

fn subnet(call: &Call, network: Network, new_bits: i64, number: u128) -> Partial<Network> {
    let prefix = i64::from(network.prefix) + new_bits;
    if new_bits < 0 || prefix > i64::from(network.bits) {
        return Err(call.error(&format!(
            "insufficient address space to extend prefix of {} by {new_bits}",
            network.prefix
        )));
    }
    let prefix = prefix as u32;
    if number >= count(new_bits as u32) {
        return Err(call.error(&format!(
            "prefix extension of {new_bits} does not accommodate a subnet numbered {number}"
        )));
    }
    let shift = network.bits - prefix;
    let offset = if shift >= 128 { 0 } else { number << shift };
    Ok(Network {
        address: network.base() | offset,
        prefix,
        bits: network.bits,
    })
}

fn network_text(network: Network) -> String {
    format!(
        "{}/{}",
        network.address_text(network.address),
        network.prefix
    )
}

pub fn cidrsubnet(call: &Call) -> Result {
    call.arity(3, 3)?;
    let network = parse(call, &call.string(0)?)?;
    let new_bits = call.integer(1)?;
    let number = call.integer(2)?;
    if number < 0 {
        return Err(call.error(&format!(
            "prefix extension of {new_bits} does not accommodate a subnet numbered {number}"
        )));
    }
    let subnet = subnet(call, network, new_bits, number as u128)?;
    call.string_value(network_text(subnet))
}

/// Consecutive subnets of the given sizes, each aligned to its own size, as Terraform allocates
/// them.
pub fn cidrsubnets(call: &Call) -> Result {
    call.arity(1, usize::MAX)?;
    let network = parse(call, &call.string(0)?)?;
    let base = network.base();
    let end = base.saturating_add(count(network.bits - network.prefix).saturating_sub(1));
    let mut next = base;
    let mut exhausted = false;
    let mut subnets = Vec::new();
    for at in 1..call.args.len() {
        let new_bits = call.integer(at)?;
        let prefix = i64::from(network.prefix) + new_bits;
        if new_bits < 1 || prefix > i64::from(network.bits) {
            return Err(call.error(&format!(
                "would extend prefix to {prefix} bits, which is too long for an IPv{} address",
                if network.bits == 32 { 4 } else { 6 }
            )));
        }
        let size = count(network.bits - prefix as u32);
        let start = next.div_ceil(size).saturating_mul(size);
        if exhausted || start < next || start > end || start.saturating_add(size - 1) > end {
            return Err(call.error(&format!(
                "not enough remaining address space for a subnet with a prefix of {prefix} bits"
            )));
        }
        subnets.push(call.string_item(network_text(Network {
            address: start,
            prefix: prefix as u32,
            bits: network.bits,
        })));
        match start.checked_add(size) {
            Some(after) => next = after,
            None => exhausted = true,
        }
    }
    call.list_value(subnets)
}
