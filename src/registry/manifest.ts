import { parseContentDigest, truncate } from './digest.js';
import { registryError } from './errors.js';
import { INDEX_MEDIA_TYPES, MANIFEST_MEDIA_TYPES, MediaType } from './mediatypes.js';

export interface Descriptor {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
  readonly artifactType?: string;
  readonly annotations?: Readonly<Record<string, string>>;
  readonly platform?: Readonly<Record<string, unknown>>;
  readonly urls?: readonly string[];
}

/** An image manifest (OCI or Docker v2) or the old OCI artifact manifest (which has `blobs`, not `layers`). */
export interface ImageManifest {
  readonly kind: 'manifest';
  readonly mediaType: string;
  readonly artifactType?: string;
  readonly config?: Descriptor;
  readonly layers: readonly Descriptor[];
  readonly subject?: Descriptor;
  readonly annotations?: Readonly<Record<string, string>>;
}

export interface ImageIndex {
  readonly kind: 'index';
  readonly mediaType: string;
  readonly artifactType?: string;
  readonly manifests: readonly Descriptor[];
  readonly subject?: Descriptor;
  readonly annotations?: Readonly<Record<string, string>>;
}

export type Manifest = ImageManifest | ImageIndex;

type Json = Record<string, unknown>;

/**
 * Parses manifest bytes. `declared` is what the transport said the body is (Content-Type or the
 * referencing descriptor); the body's own `mediaType`, when present, must agree with it, as the
 * distribution spec requires — otherwise a registry could make one body mean two things.
 */
export function parseManifest(bytes: Uint8Array, declared: string | undefined, where: string): Manifest {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw registryError('registry.protocol', `${where}: expected a JSON manifest, received ${bytes.length} bytes that are not valid UTF-8 JSON`);
  }
  if (!isObject(json)) throw registryError('registry.protocol', `${where}: expected a JSON object as manifest, found ${typeName(json)}`);
  const inBody = optionalString(json, 'mediaType', where);
  if (inBody !== undefined && declared !== undefined && MANIFEST_MEDIA_TYPES.includes(declared) && inBody !== declared) {
    throw registryError('registry.media-type', `${where}: declared as ${declared} but the body says mediaType ${inBody}`);
  }
  const mediaType = inBody ?? (declared !== undefined && MANIFEST_MEDIA_TYPES.includes(declared) ? declared : guessMediaType(json));
  if (json['schemaVersion'] !== 2) {
    throw registryError('registry.protocol', `${where}: expected schemaVersion 2, found ${truncate(JSON.stringify(json['schemaVersion']) ?? 'none', 20)}`);
  }
  const artifactType = optionalString(json, 'artifactType', where);
  const annotations = optionalAnnotations(json['annotations'], `${where} annotations`);
  const subject = json['subject'] === undefined ? undefined : parseDescriptor(json['subject'], `${where} subject`);
  const common = { mediaType, ...(artifactType && { artifactType }), ...(annotations && { annotations }), ...(subject && { subject }) };
  if (INDEX_MEDIA_TYPES.includes(mediaType)) {
    return { kind: 'index', ...common, manifests: descriptorList(json['manifests'], `${where} manifests`) };
  }
  if (!MANIFEST_MEDIA_TYPES.includes(mediaType)) {
    throw registryError('registry.media-type', `${where}: expected one of the OCI or Docker manifest media types, found ${truncate(mediaType, 100)}`);
  }
  const layersKey = mediaType === MediaType.ociArtifactManifest ? 'blobs' : 'layers';
  const layers = json[layersKey] === undefined && layersKey === 'blobs' ? [] : descriptorList(json[layersKey], `${where} ${layersKey}`);
  const config = json['config'] === undefined && layersKey === 'blobs' ? undefined : parseDescriptor(json['config'], `${where} config`);
  return { kind: 'manifest', ...common, ...(config && { config }), layers };
}

function guessMediaType(json: Json): string {
  // A body without mediaType (allowed by image-spec) is an index if it lists manifests.
  return Array.isArray(json['manifests']) ? MediaType.ociIndex : MediaType.ociManifest;
}

export function parseDescriptor(value: unknown, where: string): Descriptor {
  if (!isObject(value)) throw registryError('registry.protocol', `${where}: expected a descriptor object, found ${typeName(value)}`);
  const mediaType = value['mediaType'];
  if (typeof mediaType !== 'string' || mediaType === '') throw registryError('registry.protocol', `${where}: descriptor has no mediaType`);
  const digest = value['digest'];
  if (typeof digest !== 'string') throw registryError('registry.protocol', `${where}: descriptor has no digest`);
  parseContentDigest(digest, where);
  const size = value['size'];
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) {
    throw registryError('registry.protocol', `${where}: expected a non-negative integer size, found ${truncate(JSON.stringify(size) ?? 'none', 30)}`);
  }
  const artifactType = optionalString(value, 'artifactType', where);
  const annotations = optionalAnnotations(value['annotations'], `${where} annotations`);
  const platform = isObject(value['platform']) ? value['platform'] : undefined;
  const urls = Array.isArray(value['urls']) ? value['urls'].filter((u): u is string => typeof u === 'string') : undefined;
  return { mediaType, digest, size, ...(artifactType && { artifactType }), ...(annotations && { annotations }), ...(platform && { platform }), ...(urls && { urls }) };
}

function descriptorList(value: unknown, where: string): Descriptor[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw registryError('registry.protocol', `${where}: expected an array of descriptors, found ${typeName(value)}`);
  return value.map((d, i) => parseDescriptor(d, `${where}[${i}]`));
}

function optionalString(obj: Json, key: string, where: string): string | undefined {
  const v = obj[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw registryError('registry.protocol', `${where}: expected ${key} to be a string, found ${typeName(v)}`);
  return v;
}

function optionalAnnotations(value: unknown, where: string): Record<string, string> | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isObject(value)) throw registryError('registry.protocol', `${where}: expected an object of strings, found ${typeName(value)}`);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== 'string') throw registryError('registry.protocol', `${where}: expected ${truncate(k, 60)} to be a string, found ${typeName(v)}`);
    out[k] = v;
  }
  return out;
}

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function typeName(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v;
}
