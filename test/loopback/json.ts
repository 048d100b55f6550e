/** Narrowing helpers for request bodies: everything the bot sends arrives as unknown JSON. */
export type JsonObject = Record<string, unknown>;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function asObject(value: unknown): JsonObject {
  return isObject(value) ? value : {};
}

export function stringField(body: JsonObject, key: string): string | undefined {
  const value = body[key];
  return typeof value === "string" ? value : undefined;
}

export function numberField(body: JsonObject, key: string): number | undefined {
  const value = body[key];
  return typeof value === "number" ? value : undefined;
}

export function arrayField(body: JsonObject, key: string): unknown[] | undefined {
  const value = body[key];
  return Array.isArray(value) ? value : undefined;
}

export function objectArray(value: unknown): JsonObject[] {
  return Array.isArray(value) ? value.filter(isObject) : [];
}

export function clone<T>(value: T): T {
  return structuredClone(value);
}
