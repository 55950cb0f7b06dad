/**
 * Parameters in positional order, and where the keyword-only ones start. Kept in one place
 * because the Python signature and argument binding must agree exactly: a parameter that
 * the signature shows after `*` must be refused when passed positionally.
 */
import { isRecord } from "../../plain-object.js";
import { assertParameterName } from "../python/names.js";
import type { JsonSchema, ToolParameter } from "../types.js";

/**
 * One parameter per property of an object schema, in property order; `required` from the
 * schema's `required` list, the default from the property's `default`.
 */
export function parametersFromSchema(toolName: string, schema: JsonSchema): ToolParameter[] {
  const properties = isRecord(schema.properties) ? schema.properties : {};
  const required = new Set(
    Array.isArray(schema.required) ? schema.required.filter((r) => typeof r === "string") : [],
  );
  return Object.entries(properties).map(([name, property]) => {
    assertParameterName(toolName, name);
    const propertySchema = isRecord(property) ? property : {};
    const hasDefault = Object.hasOwn(propertySchema, "default");
    const parameter: ToolParameter = {
      name,
      schema: propertySchema,
      // A property with a default is optional to the caller even when the schema lists it
      // as required (Zod's output schemas do that).
      required: required.has(name) && !hasDefault,
      hasDefault,
    };
    if (hasDefault) parameter.defaultValue = propertySchema.default;
    return Object.freeze(parameter);
  });
}

/**
 * Index of the first keyword-only parameter (`parameters.length` when there is none).
 * Python forbids a required parameter after one with a default, so the first required
 * parameter that follows an optional one, and everything after it, becomes keyword-only.
 * Everything after a `*args` parameter is keyword-only too.
 */
export function keywordOnlyStart(parameters: readonly ToolParameter[]): number {
  let sawOptional = false;
  for (let i = 0; i < parameters.length; i++) {
    const p = parameters[i]!;
    if (p.variadic) return i + 1;
    if (!p.required) sawOptional = true;
    else if (sawOptional) return i;
  }
  return parameters.length;
}
