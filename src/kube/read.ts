/**
 * A small typed reader over unstructured JSON that names the field it is reading, so a malformed
 * object becomes one precise problem ("spec.verify.provider: expected a string") instead of a crash
 * or a silently wrong value. YAML's empty value (null) counts as absent, as the API server treats it.
 */
export class MalformedField extends Error {
  readonly field: string;
  constructor(field: string, message: string) {
    super(`${field}: ${message}`);
    this.name = 'MalformedField';
    this.field = field;
  }
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function typeName(v: unknown): string {
  if (Array.isArray(v)) return 'a list';
  if (v === null) return 'null';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

export class Reader {
  readonly path: string;
  private readonly o: Readonly<Record<string, unknown>>;

  constructor(o: Readonly<Record<string, unknown>>, path: string) {
    this.o = o;
    this.path = path;
  }

  static of(v: unknown, path: string): Reader {
    if (!isRecord(v)) throw new MalformedField(path || '(document)', `expected an object, found ${typeName(v)}`);
    return new Reader(v, path);
  }

  at(key: string): string {
    return this.path === '' ? key : `${this.path}.${key}`;
  }

  private value(key: string): unknown {
    const v = this.o[key];
    return v === null ? undefined : v;
  }

  has(key: string): boolean {
    return this.value(key) !== undefined;
  }

  str(key: string): string | undefined {
    const v = this.value(key);
    if (v === undefined) return undefined;
    if (typeof v !== 'string') throw new MalformedField(this.at(key), `expected a string, found ${typeName(v)}`);
    return v;
  }

  reqStr(key: string): string {
    const v = this.str(key);
    if (v === undefined || v === '') throw new MalformedField(this.at(key), 'required field is missing');
    return v;
  }

  oneOf<T extends string>(key: string, allowed: readonly T[], fallback: T): T {
    const v = this.str(key);
    if (v === undefined || v === '') return fallback;
    if (!(allowed as readonly string[]).includes(v)) {
      throw new MalformedField(this.at(key), `"${v}" is not one of ${allowed.join(', ')}`);
    }
    return v as T;
  }

  bool(key: string, fallback: boolean): boolean {
    const v = this.value(key);
    if (v === undefined) return fallback;
    if (typeof v !== 'boolean') throw new MalformedField(this.at(key), `expected true or false, found ${typeName(v)}`);
    return v;
  }

  int(key: string): number | undefined {
    const v = this.value(key);
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !Number.isInteger(v)) throw new MalformedField(this.at(key), `expected an integer, found ${typeName(v)}`);
    return v;
  }

  obj(key: string): Reader | undefined {
    const v = this.value(key);
    return v === undefined ? undefined : Reader.of(v, this.at(key));
  }

  reqObj(key: string): Reader {
    const r = this.obj(key);
    if (!r) throw new MalformedField(this.at(key), 'required field is missing');
    return r;
  }

  /** a list of objects, each read with `each` */
  list<T>(key: string, each: (r: Reader) => T): T[] {
    const v = this.value(key);
    if (v === undefined) return [];
    if (!Array.isArray(v)) throw new MalformedField(this.at(key), `expected a list, found ${typeName(v)}`);
    return v.map((item, i) => each(Reader.of(item, `${this.at(key)}[${i}]`)));
  }

  strList(key: string): string[] {
    const v = this.value(key);
    if (v === undefined) return [];
    if (!Array.isArray(v)) throw new MalformedField(this.at(key), `expected a list, found ${typeName(v)}`);
    return v.map((item, i) => {
      if (typeof item !== 'string') throw new MalformedField(`${this.at(key)}[${i}]`, `expected a string, found ${typeName(item)}`);
      return item;
    });
  }

  strMap(key: string): Record<string, string> | undefined {
    const r = this.obj(key);
    if (!r) return undefined;
    const out: Record<string, string> = {};
    for (const k of Object.keys(r.o)) {
      const v = r.value(k);
      if (v === undefined) continue;
      // labels and annotations are strings in the API; a YAML number or bool here would be rejected too
      if (typeof v !== 'string') throw new MalformedField(r.at(k), `expected a string, found ${typeName(v)}`);
      out[k] = v;
    }
    return out;
  }
}
