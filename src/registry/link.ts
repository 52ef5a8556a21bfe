/**
 * The `rel="next"` target of a `Link` header, resolved against the request URL. Registries send
 * relative links (`</v2/x/tags/list?n=100&last=b>; rel="next"`), some send absolute ones.
 */
export function nextLink(header: string | undefined, base: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(/,(?=\s*<)/)) {
    const m = /^\s*<([^>]*)>(.*)$/.exec(part);
    if (!m) continue;
    const params = m[2] as string;
    if (/;\s*rel\s*=\s*"?([^";]*\s)?next(\s[^";]*)?"?\s*(;|$)/i.test(params)) {
      try {
        return new URL(m[1] as string, base).toString();
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}
