export { DEFAULT_LIMITS, type Limits, resolveLimits } from "./limits.js";
export {
  closeDefaultSandboxPool,
  defaultSandboxPool,
  SandboxPool,
  type SandboxPoolOptions,
} from "./pool.js";
export type { SandboxErrorInfo } from "./protocol.js";
export { SANDBOX_PYTHON_RULES } from "./python-rules.js";
export { formatDiagnostics, type TypeDiagnostic, typeCheckProgram } from "./type-check.js";
export { fromPython, type PythonExceptionValue, toJsonSafe, toPython } from "./values.js";
