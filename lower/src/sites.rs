//! The fault sites of one compiled kernel: a fault status word carries a site number
//! (`code | site << 8`), and this table turns it back into the source span that raised it.

use frontend::{Kernel, Site, Span};
use std::collections::HashMap;

/// Site numbers must fit in the 24 upper bits of a status word.
const MAX_SITES: usize = 1 << 24;

#[derive(Default)]
pub(crate) struct SiteTable {
    sites: Vec<Site>,
    index: HashMap<(usize, Span), u32>,
}

impl SiteTable {
    /// The number of the site `span` in `kernel`'s source, adding it if new (kernels inlined
    /// into others keep their own source). `None` once the table is full.
    pub fn number(&mut self, kernel: &Kernel, span: Span) -> Option<u32> {
        let key = (std::sync::Arc::as_ptr(&kernel.source) as usize, span);
        if let Some(&n) = self.index.get(&key) {
            return Some(n);
        }
        if self.sites.len() >= MAX_SITES {
            return None;
        }
        let n = self.sites.len() as u32;
        self.sites.push(kernel.site(span));
        self.index.insert(key, n);
        Some(n)
    }

    pub fn get(&self, n: u32) -> Option<&Site> {
        self.sites.get(n as usize)
    }

    pub fn iter(&self) -> impl Iterator<Item = (usize, &Site)> {
        self.sites.iter().enumerate()
    }
}
