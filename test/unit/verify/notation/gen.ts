/**
 * Test-only generators: keys, certificates (@peculiar/x509) and JWS / COSE envelopes built here with
 * node:crypto, so every rule can be exercised without fixtures.
 */
import { KeyObject, constants, sign, webcrypto } from 'node:crypto';

type CryptoKeyPair = webcrypto.CryptoKeyPair;
type CryptoKey = webcrypto.CryptoKey;
type Algorithm = webcrypto.Algorithm;

// @peculiar/x509 pulls in tsyringe, which wants a Reflect metadata API; a tiny one is enough here.
const meta = new WeakMap<object, Map<unknown, unknown>>();
const R = Reflect as unknown as Record<string, unknown>;
R.getMetadata ??= (k: unknown, t: object) => meta.get(t)?.get(k);
R.getOwnMetadata ??= (k: unknown, t: object) => meta.get(t)?.get(k);
R.defineMetadata ??= (k: unknown, v: unknown, t: object) => { const m = meta.get(t) ?? new Map(); m.set(k, v); meta.set(t, m); };
const x509 = await import('@peculiar/x509');
x509.cryptoProvider.set(webcrypto as never);

export type KeyKind = 'rsa2048' | 'rsa3072' | 'rsa4096' | 'p256' | 'p384' | 'p521';
export const KEY_KINDS: readonly KeyKind[] = ['rsa2048', 'rsa3072', 'rsa4096', 'p256', 'p384', 'p521'];
export const ALG: Readonly<Record<KeyKind, string>> = { rsa2048: 'PS256', rsa3072: 'PS384', rsa4096: 'PS512', p256: 'ES256', p384: 'ES384', p521: 'ES512' };
const COSE_ALG: Readonly<Record<string, number>> = { PS256: -37, PS384: -38, PS512: -39, ES256: -7, ES384: -35, ES512: -36 };

function keyAlg(kind: KeyKind): webcrypto.RsaHashedKeyGenParams | webcrypto.EcKeyGenParams {
  if (kind.startsWith('rsa')) return { name: 'RSASSA-PKCS1-v1_5', modulusLength: Number(kind.slice(3)), publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' };
  return { name: 'ECDSA', namedCurve: { p256: 'P-256', p384: 'P-384', p521: 'P-521' }[kind as 'p256'] };
}
function signingAlg(kind: KeyKind, hash = 'SHA-256'): Algorithm {
  return kind.startsWith('rsa') ? { name: 'RSASSA-PKCS1-v1_5' } : ({ name: 'ECDSA', hash } as Algorithm);
}

const keyCache = new Map<string, CryptoKeyPair>();
export async function keyPair(kind: KeyKind, slot = 'leaf'): Promise<CryptoKeyPair> {
  const id = `${kind}/${slot}`;
  let k = keyCache.get(id);
  if (!k) {
    k = (await webcrypto.subtle.generateKey(keyAlg(kind), true, ['sign', 'verify'])) as CryptoKeyPair;
    keyCache.set(id, k);
  }
  return k;
}

export interface CertOptions {
  subject?: string;
  notBefore?: Date;
  notAfter?: Date;
  keyUsage?: number;
  eku?: string[] | null;
  ca?: boolean;
  caCritical?: boolean;
  pathLength?: number;
}

const DAY = 86400_000;
export const T0 = new Date('2026-01-01T00:00:00Z');

function extensions(o: CertOptions, leaf: boolean): InstanceType<typeof x509.Extension>[] {
  const ext: InstanceType<typeof x509.Extension>[] = [];
  const KU = x509.KeyUsageFlags;
  ext.push(new x509.KeyUsagesExtension(o.keyUsage ?? (leaf ? KU.digitalSignature : KU.keyCertSign | KU.cRLSign), true));
  if (o.ca !== undefined || !leaf) ext.push(new x509.BasicConstraintsExtension(o.ca ?? true, o.pathLength, o.caCritical ?? true));
  const eku = o.eku === undefined ? (leaf ? ['1.3.6.1.5.5.7.3.3'] : null) : o.eku;
  if (eku) ext.push(new x509.ExtendedKeyUsageExtension(eku, false));
  return ext;
}

export interface Issued { der: Buffer; keys: CryptoKeyPair; kind: KeyKind; subject: string }

export async function selfSigned(kind: KeyKind, o: CertOptions = {}, slot = 'leaf', leaf = true): Promise<Issued> {
  const keys = await keyPair(kind, slot);
  const subject = o.subject ?? 'C=US,ST=WA,L=Seattle,O=Acme,CN=leaf';
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01', name: subject, keys: keys as never, signingAlgorithm: signingAlg(kind),
    notBefore: o.notBefore ?? new Date(T0.getTime() - DAY), notAfter: o.notAfter ?? new Date(T0.getTime() + 365 * DAY),
    extensions: extensions(o, leaf),
  });
  return { der: Buffer.from(cert.rawData), keys, kind, subject };
}

export async function issue(kind: KeyKind, issuer: Issued, o: CertOptions = {}, slot = 'leaf', leaf = true): Promise<Issued> {
  const keys = await keyPair(kind, slot);
  const subject = o.subject ?? 'C=US,ST=WA,L=Seattle,O=Acme,CN=leaf';
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: '02', subject, issuer: new x509.X509Certificate(issuer.der).subject, publicKey: keys.publicKey as never, signingKey: issuer.keys.privateKey as never,
    signingAlgorithm: signingAlg(issuer.kind),
    notBefore: o.notBefore ?? new Date(T0.getTime() - DAY), notAfter: o.notAfter ?? new Date(T0.getTime() + 365 * DAY),
    extensions: extensions(o, leaf),
  });
  return { der: Buffer.from(cert.rawData), keys, kind, subject };
}

/** leaf ← intermediate ← root, CAs on P-256 to keep key generation quick. */
export async function chain3(kind: KeyKind, leafOpts: CertOptions = {}): Promise<Issued[]> {
  const root = await selfSigned('p256', { subject: 'C=US,ST=WA,O=Acme,CN=Root' }, 'root', false);
  const mid = await issue('p256', root, { subject: 'C=US,ST=WA,O=Acme,CN=Intermediate' }, 'mid', false);
  const leaf = await issue(kind, mid, leafOpts);
  return [leaf, mid, root];
}

export function sigWith(kind: KeyKind, alg: string, priv: CryptoKey, data: Buffer): Buffer {
  const key = KeyObject.from(priv);
  const hash = `sha${alg.slice(2)}`;
  if (alg.startsWith('PS')) return sign(hash, data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: Number(alg.slice(2)) / 8 });
  void kind;
  return sign(hash, data, { key, dsaEncoding: 'ieee-p1363' });
}

export interface Target { mediaType: string; digest: string; size: number }
export const TARGET: Target = { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: `sha256:${'ab'.repeat(32)}`, size: 1234 };

export interface EnvOptions {
  target?: Target;
  alg?: string;
  header?: Record<string, unknown>;
  crit?: string[];
  signingTime?: Date;
  expiry?: Date;
  drop?: string[];
}

export function payloadOf(t: Target): Buffer {
  return Buffer.from(JSON.stringify({ targetArtifact: t }));
}

export function jws(chain: Issued[], o: EnvOptions = {}): Buffer {
  const leaf = chain[0] as Issued;
  const alg = o.alg ?? ALG[leaf.kind];
  const full: Record<string, unknown> = {
    alg, crit: o.crit ?? ['io.cncf.notary.signingScheme', ...(o.expiry ? ['io.cncf.notary.expiry'] : [])],
    cty: 'application/vnd.cncf.notary.payload.v1+json',
    'io.cncf.notary.signingScheme': 'notary.x509',
    'io.cncf.notary.signingTime': (o.signingTime ?? T0).toISOString(),
    ...(o.expiry ? { 'io.cncf.notary.expiry': o.expiry.toISOString() } : {}),
    ...o.header,
  };
  const hdr = Object.fromEntries(Object.entries(full).filter(([k]) => !(o.drop ?? []).includes(k)));
  const p = Buffer.from(JSON.stringify(hdr)).toString('base64url');
  const pl = payloadOf(o.target ?? TARGET).toString('base64url');
  const sig = sigWith(leaf.kind, alg, leaf.keys.privateKey, Buffer.from(`${p}.${pl}`));
  return Buffer.from(JSON.stringify({ payload: pl, protected: p, header: { x5c: chain.map((c) => c.der.toString('base64')), 'io.cncf.notary.signingAgent': 'test' }, signature: sig.toString('base64url') }));
}

// A test-side CBOR encoder, deliberately separate from the decoder under test.
type C = number | string | Uint8Array | C[] | Map<number | string, C> | { tag: number; v: C };
function head(major: number, n: number): Buffer {
  if (n < 24) return Buffer.from([(major << 5) | n]);
  if (n < 256) return Buffer.from([(major << 5) | 24, n]);
  if (n < 65536) return Buffer.from([(major << 5) | 25, n >> 8, n & 255]);
  const b = Buffer.alloc(5); b[0] = (major << 5) | 26; b.writeUInt32BE(n, 1); return b;
}
export function cbor(v: C): Buffer {
  if (typeof v === 'number') return v >= 0 ? head(0, v) : head(1, -1 - v);
  if (typeof v === 'string') { const b = Buffer.from(v); return Buffer.concat([head(3, b.length), b]); }
  if (v instanceof Uint8Array) return Buffer.concat([head(2, v.length), v]);
  if (Array.isArray(v)) return Buffer.concat([head(4, v.length), ...v.map(cbor)]);
  if (v instanceof Map) return Buffer.concat([head(5, v.size), ...[...v].flatMap(([k, x]) => [cbor(k), cbor(x)])]);
  return Buffer.concat([head(6, v.tag), cbor(v.v)]);
}

export function cose(chain: Issued[], o: EnvOptions = {}): Buffer {
  const leaf = chain[0] as Issued;
  const alg = o.alg ?? ALG[leaf.kind];
  const prot = new Map<number | string, C>([
    [1, COSE_ALG[alg] ?? 0],
    [2, o.crit ?? ['io.cncf.notary.signingScheme', ...(o.expiry ? ['io.cncf.notary.expiry'] : [])]],
    [3, 'application/vnd.cncf.notary.payload.v1+json'],
    ['io.cncf.notary.signingScheme', 'notary.x509'],
    ['io.cncf.notary.signingTime', { tag: 1, v: Math.floor((o.signingTime ?? T0).getTime() / 1000) }],
  ]);
  if (o.expiry) prot.set('io.cncf.notary.expiry', { tag: 1, v: Math.floor(o.expiry.getTime() / 1000) });
  for (const d of o.drop ?? []) prot.delete(d);
  const protBytes = cbor(prot);
  const payload = payloadOf(o.target ?? TARGET);
  const tbs = cbor(['Signature1', protBytes, new Uint8Array(0), payload]);
  const sig = sigWith(leaf.kind, alg, leaf.keys.privateKey, tbs);
  const unprot = new Map<number | string, C>([[33, chain.map((c) => c.der)], ['io.cncf.notary.signingAgent', 'test']]);
  return cbor({ tag: 18, v: [protBytes, unprot, payload, sig] });
}
