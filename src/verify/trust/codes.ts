/** Stable codes for problems with trust material itself (not with a signature). */
export type TrustCode = 'trust.root-invalid';
