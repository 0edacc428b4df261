/**
 * JSON Schema (2020-12, the dialect of OpenAPI 3.1) as plain data. Validators keep their own
 * messages, but the bounds, patterns and field lists they check are written here once and read by
 * both the validator and `GET /openapi.json`, so the document cannot describe rules the Worker
 * does not enforce.
 */
export interface JsonSchema {
  type?: JsonType | JsonType[];
  description?: string;
  enum?: readonly (string | number | boolean | null)[];
  const?: string | number | boolean | null;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  items?: JsonSchema;
  prefixItems?: JsonSchema[];
  minItems?: number;
  maxItems?: number;
  uniqueItems?: boolean;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  maxProperties?: number;
  dependentRequired?: Record<string, string[]>;
  propertyNames?: JsonSchema;
  anyOf?: JsonSchema[];
  allOf?: JsonSchema[];
  not?: JsonSchema;
  if?: JsonSchema;
  then?: JsonSchema;
  default?: unknown;
  examples?: unknown[];
  $ref?: string;
}

type JsonType = "object" | "array" | "string" | "integer" | "number" | "boolean" | "null";

export function integer(min: number, max: number, description?: string): JsonSchema {
  return { type: "integer", minimum: min, maximum: max, ...(description ? { description } : {}) };
}

/** A JavaScript RegExp written as a JSON Schema `pattern` (both are ECMA-262 regular expressions). */
export function matching(pattern: RegExp, description?: string): JsonSchema {
  return { type: "string", pattern: pattern.source, ...(description ? { description } : {}) };
}

export function nullable(schema: JsonSchema): JsonSchema {
  if (schema.$ref !== undefined) return { anyOf: [schema, { type: "null" }] };
  const type = schema.type;
  if (type === undefined) return { anyOf: [schema, { type: "null" }] };
  const types = Array.isArray(type) ? type : [type];
  return { ...schema, type: [...types, "null"], ...(schema.enum ? { enum: [...schema.enum, null] } : {}) };
}

/**
 * An object whose properties are exactly the keys of `T`: a field added to the type without a
 * schema (or a schema for a field the type lacks) is a compile error, so the document keeps up.
 */
export function objectOf<T>(
  properties: Record<keyof T & string, JsonSchema>,
  required: readonly (keyof T & string)[] | "all",
  extra: Omit<JsonSchema, "type" | "properties" | "required"> = {},
): JsonSchema {
  return {
    type: "object",
    properties,
    required: required === "all" ? Object.keys(properties) : [...required],
    ...extra,
  };
}
