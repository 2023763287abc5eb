//! An evaluation budget, so that multiplying loops cannot make a scan run away. What draws on one:
//! ARM resource `copy` instances and nested deployments (one budget per template, with each of its
//! parameter files), ARM property `copy` elements (one per template evaluation), Bicep resource
//! and module instances (one per root evaluation), and Terraform module instances and counted or
//! iterated resources (one per root module). Past the budget what cannot be decided is unknown,
//! with a message naming the bound; the scan goes on.
//!
//! Budgets are per root, not per scan, on purpose: roots are evaluated in parallel, and a budget
//! they shared would make what one root decides depend on how many others the scan holds and on
//! which thread got there first. A scan's work still grows linearly with its roots.

use std::cell::Cell;

/// A count of evaluation steps still allowed, out of a fixed limit.
#[derive(Debug)]
pub struct Budget {
    limit: usize,
    remaining: Cell<usize>,
}

impl Budget {
    pub fn new(limit: usize) -> Budget {
        Budget {
            limit,
            remaining: Cell::new(limit),
        }
    }

    /// The bound, for messages.
    pub fn limit(&self) -> usize {
        self.limit
    }

    pub fn remaining(&self) -> usize {
        self.remaining.get()
    }

    /// Take `n` steps if that many remain; otherwise take none and say so.
    pub fn take(&self, n: usize) -> bool {
        let remaining = self.remaining.get();
        if n > remaining {
            return false;
        }
        self.remaining.set(remaining - n);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::Budget;

    #[test]
    fn takes_until_the_limit_and_no_further() {
        let budget = Budget::new(3);
        assert!(budget.take(2));
        assert!(!budget.take(2));
        assert_eq!(budget.remaining(), 1);
        assert!(budget.take(1));
        assert!(!budget.take(1));
        assert_eq!(budget.limit(), 3);
    }
}
