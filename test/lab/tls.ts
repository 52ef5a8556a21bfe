import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mustRun } from './tools.js';

/**
 * A lab certificate authority and server certificates for 127.0.0.1, made with openssl: one valid,
 * one that expired years ago, for the TLS paths of the registry client.
 */
export interface LabCa {
  readonly ca: string;
  readonly valid: { readonly cert: string; readonly key: string };
  readonly expired: { readonly cert: string; readonly key: string };
}

export async function makeLabCa(dir: string): Promise<LabCa> {
  const p = (f: string): string => join(dir, f);
  await mustRun('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', p('ca.key'), '-out', p('ca.crt'), '-subj', '/CN=kubectl-verify lab CA', '-days', '2']);
  writeFileSync(p('san.ext'), 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  await mustRun('openssl', ['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', p('server.key'), '-out', p('server.csr'), '-subj', '/CN=127.0.0.1']);
  await mustRun('openssl', ['x509', '-req', '-in', p('server.csr'), '-CA', p('ca.crt'), '-CAkey', p('ca.key'), '-CAcreateserial', '-out', p('server.crt'), '-days', '2', '-extfile', p('san.ext')]);
  // `openssl ca` is the one way OpenSSL 3.0 sets an arbitrary validity window
  writeFileSync(p('index.txt'), '');
  writeFileSync(p('serial'), '1000\n');
  writeFileSync(
    p('ca.cnf'),
    [`[ca]`, `default_ca = lab`, `[lab]`, `database = ${p('index.txt')}`, `new_certs_dir = ${dir}`, `serial = ${p('serial')}`, `default_md = sha256`, `policy = any`, `[any]`, `commonName = supplied`, ''].join('\n'),
  );
  await mustRun('openssl', ['ca', '-batch', '-notext', '-config', p('ca.cnf'), '-cert', p('ca.crt'), '-keyfile', p('ca.key'), '-in', p('server.csr'), '-out', p('expired.crt'), '-startdate', '20200101000000Z', '-enddate', '20200102000000Z', '-extfile', p('san.ext')]);
  return { ca: p('ca.crt'), valid: { cert: p('server.crt'), key: p('server.key') }, expired: { cert: p('expired.crt'), key: p('server.key') } };
}
