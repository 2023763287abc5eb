//! Numeric functions. Terraform's numbers are arbitrary-precision; aksguard's are f64, which is
//! exact for the integers and short decimals configurations use (the differential test lists
//! where the two part).

use super::{Call, Result};
use crate::frontend::terraform::values::{decimal_arithmetic, to_number, Arithmetic};
use crate::value::ValueKind;

/// A numeric result; not-a-number Terraform cannot represent, so it fails.
fn number(call: &Call, n: f64) -> Result {
    if n.is_nan() {
        return Err(call.error("the result is not a number"));
    }
    call.number_value(n)
}

fn unary(call: &Call, f: fn(f64) -> f64) -> Result {
    call.arity(1, 1)?;
    let n = call.number(0)?;
    number(call, f(n))
}

pub fn abs(call: &Call) -> Result {
    unary(call, f64::abs)
}

pub fn ceil(call: &Call) -> Result {
    unary(call, f64::ceil)
}

pub fn floor(call: &Call) -> Result {
    unary(call, f64::floor)
}

/// Terraform's signum takes a whole number.
pub fn signum(call: &Call) -> Result {
    call.arity(1, 1)?;
    let n = call.integer(0)?;
    call.number_value(n.signum() as f64)
}

/// `ln(n) / ln(base)` in f64, as Terraform computes it (`log(1000, 10)` is 2.9999999999999996).
pub fn log(call: &Call) -> Result {
    call.arity(2, 2)?;
    let (n, base) = (call.number(0)?, call.number(1)?);
    number(call, n.ln() / base.ln())
}

pub fn pow(call: &Call) -> Result {
    call.arity(2, 2)?;
    let (base, exponent) = (call.number(0)?, call.number(1)?);
    number(call, base.powf(exponent))
}

fn extreme(call: &Call, pick: fn(f64, f64) -> f64) -> Result {
    if call.args.is_empty() {
        return Err(call.error("must pass at least one number"));
    }
    let mut result = call.number(0)?;
    for at in 1..call.args.len() {
        result = pick(result, call.number(at)?);
    }
    call.number_value(result)
}

pub fn max(call: &Call) -> Result {
    extreme(call, f64::max)
}

pub fn min(call: &Call) -> Result {
    extreme(call, f64::min)
}

pub fn sum(call: &Call) -> Result {
    call.arity(1, 1)?;
    let items = call.list(0)?;
    if items.is_empty() {
        return Err(call.error("cannot sum an empty list"));
    }
    let mut total = 0.0;
    for (i, item) in items.iter().enumerate() {
        match to_number(item) {
            Some(n) if !item.is_null() => {
                total = if i == 0 {
                    n
                } else {
                    decimal_arithmetic(Arithmetic::Add, total, n)
                }
            }
            _ => {
                return Err(call.error(&format!(
                    "element {i}: number required, found {}",
                    item.describe()
                )))
            }
        }
    }
    call.number_value(total)
}

/// `parseint(text, base)`: digits 0-9, then a-z (and, above base 36, A-Z for 36 to 61), with an
/// optional sign, as Go's big.Int reads them.
pub fn parseint(call: &Call) -> Result {
    call.arity(2, 2)?;
    let text = call.string(0)?;
    let base = call.integer(1)?;
    if !(2..=62).contains(&base) {
        return Err(call.error("base must be a whole number between 2 and 62 inclusive"));
    }
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(&text)),
    };
    let invalid = || call.error(&format!("cannot parse {text:?} as a base {base} integer"));
    if digits.is_empty() {
        return Err(invalid());
    }
    let mut value = 0.0f64;
    for c in digits.chars() {
        let digit = match c {
            '0'..='9' => c as i64 - '0' as i64,
            'a'..='z' => c as i64 - 'a' as i64 + 10,
            'A'..='Z' if base <= 36 => c as i64 - 'A' as i64 + 10,
            'A'..='Z' => c as i64 - 'A' as i64 + 36,
            _ => return Err(invalid()),
        };
        if digit >= base {
            return Err(invalid());
        }
        value = value * base as f64 + digit as f64;
    }
    // From 2^53 on f64 no longer holds the integer exactly.
    if value >= 9.007_199_254_740_992e15 {
        return Err(call.unsupported("the integer is too large for aksguard to hold exactly"));
    }
    call.value(ValueKind::Number(if negative { -value } else { value }))
}
