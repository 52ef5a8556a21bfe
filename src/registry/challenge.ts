/**
 * `WWW-Authenticate` parsing (RFC 7235): one header may carry several challenges, each a scheme
 * followed by comma-separated `key=value` or `key="quoted, with commas"` parameters. Registries put
 * commas inside quoted scopes (`repository:a:pull,push`), so a naive split breaks them.
 */
export interface Challenge {
  /** lowercased: `bearer`, `basic`, … */
  readonly scheme: string;
  /** parameter names lowercased */
  readonly params: Readonly<Record<string, string>>;
}

export function parseChallenges(raw: string | undefined): Challenge[] {
  if (!raw) return [];
  const header: string = raw;
  const out: { scheme: string; params: Record<string, string> }[] = [];
  let i = 0;
  const n = header.length;
  const skipSpace = (): void => {
    while (i < n && (header[i] === ' ' || header[i] === '\t')) i++;
  };
  const readToken = (): string => {
    const start = i;
    while (i < n && /[!#$%&'*+\-.^_`|~0-9A-Za-z]/.test(header[i] as string)) i++;
    return header.slice(start, i);
  };
  while (i < n) {
    skipSpace();
    if (header[i] === ',') {
      i++;
      continue;
    }
    const word = readToken();
    if (word === '') {
      i++; // not a token character: skip it rather than loop forever on garbage
      continue;
    }
    skipSpace();
    const current = out.at(-1);
    if (header[i] === '=' && current) {
      // `word=` continues the current challenge's parameters
      i++;
      skipSpace();
      current.params[word.toLowerCase()] = header[i] === '"' ? readQuoted() : readTokenValue();
    } else {
      out.push({ scheme: word.toLowerCase(), params: {} });
      // token68 form (`Negotiate abc==`) carries no params we use: skip it
      if (header[i] !== undefined && header[i] !== ',' && !/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+\s*=\s*[^=]/.test(header.slice(i))) {
        while (i < n && header[i] !== ',') i++;
      }
    }
  }
  return out;

  function readQuoted(): string {
    i++; // opening quote
    let value = '';
    while (i < n && header[i] !== '"') {
      if (header[i] === '\\' && i + 1 < n) i++;
      value += header[i];
      i++;
    }
    i++; // closing quote
    return value;
  }

  function readTokenValue(): string {
    const start = i;
    while (i < n && header[i] !== ',' && header[i] !== ' ' && header[i] !== '\t') i++;
    return header.slice(start, i);
  }
}
