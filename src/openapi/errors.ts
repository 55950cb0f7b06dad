import { CodeModeError } from "../errors.js";

/**
 * Why an OpenAPI document could not be used: `unreachable` (the file or URL could not be
 * read), `invalid` (not an OpenAPI 3.0/3.1 document, or broken where it matters) or
 * `unsupported` (a feature codemode does not handle, such as an external `$ref`).
 */
export type OpenApiProblem = "unreachable" | "invalid" | "unsupported";

/**
 * An OpenAPI document, or one operation of it, could not be turned into tools. The message
 * names the operation or the JSON pointer (`#/paths/~1pets/get`) and says what to do.
 * `openApiTools()` throws it for the document as a whole; an operation it cannot use is
 * skipped instead, with this error's message in the set's `skipped` list.
 */
export class OpenApiError extends CodeModeError {
  override readonly code: string = "OPENAPI";
  readonly problem: OpenApiProblem;
  /** Where in the document, as a JSON pointer (`#/components/schemas/Pet`), when known. */
  readonly pointer?: string;
  /** The operation (`getPetById`, or `GET /pets/{petId}`), when one is concerned. */
  readonly operation?: string;
  constructor(
    problem: OpenApiProblem,
    message: string,
    options: { pointer?: string; operation?: string; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.problem = problem;
    if (options.pointer !== undefined) this.pointer = options.pointer;
    if (options.operation !== undefined) this.operation = options.operation;
  }
}

/** `#/paths/~1pets~1{id}/get` for the segments `paths`, `/pets/{id}`, `get`. */
export function jsonPointer(...segments: readonly (string | number)[]): string {
  return `#${segments.map((s) => `/${String(s).replace(/~/g, "~0").replace(/\//g, "~1")}`).join("")}`;
}
