import { posix } from 'node:path';
import { parseTagVersion } from '../registry/semver.js';
import type { PlanRef } from './types.js';

/**
 * How source-controller names an OCI chart (internal/helm/repository/oci_chart_repository.go):
 * `path.Join` of the HelmRepository URL's path and the chart name, under the same host.
 */
export function chartUrl(repositoryUrl: string, chart: string): string {
  const m = /^(oci:\/\/[^/]+)(\/.*)?$/.exec(repositoryUrl);
  if (!m) return `${repositoryUrl.replace(/\/+$/, '')}/${chart}`;
  const joined = posix.join(m[2] ?? '/', chart);
  return `${m[1] as string}${joined.startsWith('/') ? joined : `/${joined}`}`;
}

/**
 * The chart version as a registry ref: an exact version (fluxcd/pkg version.ParseVersion: three
 * dot-separated parts, a `v` and leading zeros allowed) is used as the tag directly, with `+` stored as `_` as Helm pushes it; anything
 * else is a constraint resolved against the listed tags (the CRD default is `*`).
 */
export function chartRef(version: string): PlanRef {
  const v = version.trim();
  if (v !== '' && parseTagVersion(v) !== undefined) return { kind: 'tag', tag: v.replaceAll('+', '_') };
  return { kind: 'semver', constraint: v === '' ? '*' : v, helmTags: true };
}

/** The Helm chart layer media type; OCIRepositories selecting it read `_` in tags as `+`. */
export const HELM_CHART_LAYER = 'application/vnd.cncf.helm.chart.content.v1.tar+gzip';
