// Pure helpers (no `vscode` import), unit-tested in src/test/.

/** The server's `iacm.*` settings, as contributed by package.json (the key is not one). */
export const SERVER_SETTINGS = ['baseUrl', 'hosts', 'live', 'cacheTtlSeconds', 'diagnostics'] as const;

export type IacmSettings = Record<string, unknown>;

/**
 * The object the server reads as its `iacm` section: the settings plus the key.
 * `apiKey: null` is sent on purpose when there is no key: the server only
 * changes the settings it is given, and null makes it forget a previous key
 * (falling back to HARNESS_API_KEY in its environment).
 */
export function serverPayload(get: (name: string) => unknown, apiKey: string | undefined): IacmSettings {
  const payload: IacmSettings = {};
  for (const name of SERVER_SETTINGS) {
    const value = get(name);
    if (value !== undefined) payload[name] = value;
  }
  payload.apiKey = apiKey && apiKey.trim() !== '' ? apiKey.trim() : null;
  return payload;
}

/** The account of a Harness key: `pat.<account>.<token>.<secret>` (also `sat.`). */
export function accountOfKey(key: string | undefined): string | undefined {
  if (!key) return undefined;
  const parts = key.trim().split('.');
  if (parts.length < 3 || !/^(pat|sat)$/i.test(parts[0]) || parts[1] === '') return undefined;
  return parts[1];
}

/** Whether a YAML text is a Backstage catalog file, by name or by its first lines. */
export function isCatalogDocument(fileName: string, firstLines: string): boolean {
  const base = fileName.split(/[\\/]/).pop() ?? '';
  if (/(^|\.)catalog-info\.ya?ml$/i.test(base)) return true;
  return /backstage\.io\//.test(firstLines);
}
