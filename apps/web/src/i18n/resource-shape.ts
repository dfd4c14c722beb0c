// The shape of a translation resource: the same nested keys as the reference, every leaf a string.
export type ResourceShape<T> = { [K in keyof T]: T[K] extends string ? string : ResourceShape<T[K]> };

/** Dotted paths of every leaf ("login.title"), sorted: what resources.test.ts compares between languages. */
export function leafKeys(resource: object, prefix = ''): string[] {
  const keys: string[] = [];
  for (const [key, value] of Object.entries(resource)) {
    const path = prefix === '' ? key : `${prefix}.${key}`;
    if (typeof value === 'string') keys.push(path);
    else if (value !== null && typeof value === 'object') keys.push(...leafKeys(value as object, path));
    else keys.push(`${path} (not a string)`);
  }
  return keys.sort();
}
