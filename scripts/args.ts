/** Option parsing the scripts share. */

/** `--<name>`'s value as a whole number above 0; `fallback` when the option was not given. */
export function positive(name: string, text: string | undefined, fallback?: number): number {
  if (text === undefined && fallback !== undefined) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a whole number above 0, not ${text}`);
  return value;
}
