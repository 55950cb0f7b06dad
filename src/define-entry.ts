/**
 * Sets `target[key] = value` as an ordinary own property, even when the key is
 * "__proto__": plain assignment would change the object's prototype instead. Used
 * wherever keys come from outside (tool arguments, Python dicts, JSON Schema, journals).
 */
export function defineEntry(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}
