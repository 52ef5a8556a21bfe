export type { TrustCode } from './codes.js';
export { parseTrustedRoot, publicGoodTrustedRoot } from './trusted-root.js';
export type { TrustedRoot } from './trusted-root.js';
