/** COSE_Sign1 (RFC 9052) encoding of a Notary Project signature envelope. */
import { decodeCbor, encodeCborArray, isMap, isTag } from './cbor.js';
import type { CborKey, CborValue } from './cbor.js';
import { fail } from './codes.js';
import type { ParsedEnvelope, SignatureAlg } from './envelope.js';
import { checkProtectedHeaders, HDR_AUTHENTIC_SIGNING_TIME, HDR_EXPIRY, HDR_SIGNING_AGENT, HDR_SIGNING_SCHEME, HDR_SIGNING_TIME, HDR_TIMESTAMP } from './envelope.js';

const COSE_SIGN1_TAG = 18;
const LABEL_ALG = 1;
const LABEL_CRIT = 2;
const LABEL_CTY = 3;
const LABEL_X5CHAIN = 33;
const COSE_ALGS: ReadonlyMap<number, SignatureAlg> = new Map([
  [-37, 'PS256'], [-38, 'PS384'], [-39, 'PS512'], [-7, 'ES256'], [-35, 'ES384'], [-36, 'ES512'],
]);

const bad = (m: string): never => fail('notation.envelope-invalid', `COSE ${m}`);

function epochTime(v: CborValue | undefined, name: string): Date | undefined {
  if (v === undefined) return undefined;
  // Notation writes CBOR tag 1 with an integer epoch; floats are refused by the decoder already.
  if (!isTag(v) || v.tag !== 1 || typeof v.value !== 'number') return bad(`${name}: expected CBOR tag 1 with an integer epoch, found another value`);
  return new Date(v.value * 1000);
}

function label(k: CborKey): string {
  return typeof k === 'number' ? String(k) : k;
}

export function parseCose(bytes: Uint8Array): ParsedEnvelope {
  const top = decodeCbor(bytes, 'COSE envelope');
  if (!isTag(top) || top.tag !== COSE_SIGN1_TAG) return bad('envelope: expected COSE_Sign1_Tagged (tag 18), found another item');
  const msg = top.value;
  if (!Array.isArray(msg) || msg.length !== 4) return bad('envelope: expected an array of 4 items, found another shape');
  const [protBytes, unprot, payload, signature] = msg as readonly (CborValue | undefined)[];
  if (!(protBytes instanceof Uint8Array) || unprot === undefined) return bad('protected header: expected a byte string, found another type');
  if (!isMap(unprot)) return bad('unprotected header: expected a map, found another type');
  if (!(payload instanceof Uint8Array)) return fail('notation.envelope-unsupported', 'COSE payload: expected an attached byte string, found a detached or invalid payload');
  if (!(signature instanceof Uint8Array)) return bad('signature: expected a byte string, found another type');

  const prot = protBytes.length === 0 ? new Map<CborKey, CborValue>() : decodeCbor(protBytes, 'COSE protected header');
  if (!isMap(prot)) return bad('protected header: expected a map, found another type');
  const algId = prot.get(LABEL_ALG);
  const alg = typeof algId === 'number' ? COSE_ALGS.get(algId) : undefined;
  if (alg === undefined) return fail('notation.envelope-unsupported', `COSE alg: expected one of ${[...COSE_ALGS.keys()].join(', ')}, found ${JSON.stringify(algId ?? null)}`);
  const crit = prot.get(LABEL_CRIT);
  if (!Array.isArray(crit) || crit.length === 0 || !crit.every((c): c is CborKey => typeof c === 'number' || typeof c === 'string')) {
    return bad('crit: expected a non-empty array of labels, found another value');
  }
  const fields = checkProtectedHeaders({
    alg,
    cty: prot.get(LABEL_CTY),
    crit: crit.map(label),
    present: (l) => prot.has(l) || (/^-?\d+$/.test(l) && prot.has(Number(l))),
    signingScheme: prot.get(HDR_SIGNING_SCHEME),
    signingTime: epochTime(prot.get(HDR_SIGNING_TIME), HDR_SIGNING_TIME),
    authenticSigningTime: epochTime(prot.get(HDR_AUTHENTIC_SIGNING_TIME), HDR_AUTHENTIC_SIGNING_TIME),
    expiry: epochTime(prot.get(HDR_EXPIRY), HDR_EXPIRY),
  });

  const chain = unprot.get(LABEL_X5CHAIN);
  if (!Array.isArray(chain) || chain.length === 0 || !chain.every((c): c is Uint8Array => c instanceof Uint8Array)) {
    return bad('x5chain (33): expected a non-empty array of certificates, found another value');
  }
  const ts = unprot.get(HDR_TIMESTAMP);
  if (ts !== undefined && !(ts instanceof Uint8Array)) bad(`${HDR_TIMESTAMP}: expected a byte string, found another type`);
  const agent = unprot.get(HDR_SIGNING_AGENT);
  return {
    format: 'cose',
    alg,
    ...fields,
    payload: Buffer.from(payload),
    certChain: chain.map((c) => Buffer.from(c)),
    signature: Buffer.from(signature),
    // The protected header is signed as received, never re-encoded.
    signedBytes: encodeCborArray(['Signature1', protBytes, new Uint8Array(0), payload]),
    ...(ts instanceof Uint8Array ? { timestampToken: Buffer.from(ts) } : {}),
    ...(typeof agent === 'string' ? { signingAgent: agent } : {}),
  };
}
