import type { Finding, Summary } from './types.js';

/** Counts by state; `unsupported` apart, so that it never hides among failures or passes. */
export function summarise(findings: readonly Pick<Finding, 'state'>[]): Summary {
  const c = { verified: 0, failed: 0, notEnforced: 0, weak: 0, errors: 0, pending: 0, unsupported: 0, unverifiable: 0 };
  for (const f of findings) {
    switch (f.state) {
      case 'verified': c.verified++; break;
      case 'failed': c.failed++; break;
      case 'not-enforced': c.notEnforced++; break;
      case 'weak': c.weak++; break;
      case 'error': c.errors++; break;
      case 'pending': c.pending++; break;
      case 'unsupported': c.unsupported++; break;
      case 'unverifiable': c.unverifiable++; break;
    }
  }
  return c;
}
