import { createFileSource } from '../kube/files.js';
import type { ObjectSource, SecretResult } from '../kube/types.js';
import { registryError } from '../registry/errors.js';
import { openMemoryLayout, type ArtifactStore, type RegistryArtifactRef } from '../registry/index.js';

/**
 * The embedded demo: Flux objects as the real controllers left them and the OCI content they name,
 * made by `npm run lab -- capture-demo` (test/lab/demo-capture.ts) from real cosign and notation
 * signatures. Nothing is fetched: `ghcr.io/acme/*` is served from image layouts held in memory, and
 * the clock is the capture's, so certificates valid then are valid in the demo.
 */
export interface DemoData {
  readonly capturedAt: string;
  /** a `kind: List` of the objects and the Secrets the demo user may read (JSON) */
  readonly objects: string;
  /** `namespace/name` of Secrets left out on purpose: the demo user may not read them */
  readonly unreadableSecrets: readonly string[];
  /** `host/repository` → layout files (`oci-layout`, `index.json`, `blobs/sha256/<hex>`) as base64 */
  readonly repositories: Readonly<Record<string, Readonly<Record<string, string>>>>;
}

export interface Demo {
  readonly source: ObjectSource;
  readonly now: Date;
  readonly capturedAt: string;
  /** the demo's registries: every `ghcr.io/acme` repository of the capture, nothing else */
  openStore(ref: RegistryArtifactRef): Promise<ArtifactStore>;
}

export async function openDemo(): Promise<Demo> {
  // loaded on demand: only --demo pays for parsing it
  const data = (await import('./data.json', { with: { type: 'json' } })).default as DemoData;
  const files = await createFileSource(['-'], { stdin: data.objects });
  const source: ObjectSource = {
    description: { demo: { capturedAt: data.capturedAt } },
    list: (scope) => files.list(scope),
    async getSecret(namespace, name): Promise<SecretResult> {
      const r = await files.getSecret(namespace, name);
      if (r.state !== 'unavailable' || !data.unreadableSecrets.includes(`${namespace}/${name}`)) return r;
      return { state: 'forbidden', message: `the demo user may not get Secret ${namespace}/${name} (kubectl auth can-i get secret/${name} -n ${namespace} says no)` };
    },
    getImagePullSecrets: (namespace, serviceAccount) => files.getImagePullSecrets(namespace, serviceAccount),
  };
  const layouts = new Map<string, Promise<ArtifactStore>>();
  const openStore = (ref: RegistryArtifactRef): Promise<ArtifactStore> => {
    const name = `${ref.host}/${ref.repository}`;
    let store = layouts.get(name);
    if (!store) {
      const files = data.repositories[name];
      store = files === undefined
        ? Promise.reject(registryError('registry.not-found', `${name} is not part of the demo: only its ghcr.io/acme repositories are embedded`))
        : openMemoryLayout(`demo:${name}`, new Map(Object.entries(files).map(([path, b64]) => [path, new Uint8Array(Buffer.from(b64, 'base64'))])));
      layouts.set(name, store);
    }
    return store;
  };
  return { source, now: new Date(data.capturedAt), capturedAt: data.capturedAt, openStore };
}
