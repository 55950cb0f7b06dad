import { readFileSync } from "node:fs";

/**
 * The native Monty bindings, loaded directly. The package's wrapper turns every
 * outcome into a thrown error and masks some of them (see MONTY_NOTES); the native
 * classes return error objects instead, which is faster and keeps the exception type.
 * Only the part of the API codemode uses is typed here.
 */

export interface MontyFrame {
  line: number;
  column: number;
  functionName?: string;
}

export interface NativeException {
  readonly exception: { typeName: string; message: string };
  traceback(): MontyFrame[];
  display(format?: string): string;
}

export interface NativeTypingError {
  display(format?: string, color?: boolean): string;
}

export interface NativeSnapshot {
  readonly functionName: string;
  readonly args: unknown[];
  readonly kwargs: Record<string, unknown>;
  resume(
    options: { returnValue: unknown } | { exception: { type: string; message: string } },
  ): Progress;
  dump(): Buffer;
}

export interface NativeNameLookup {
  readonly variableName: string;
  resume(options?: { value?: unknown }): Progress;
}

export interface NativeComplete {
  readonly output: unknown;
}

export type Progress = NativeSnapshot | NativeNameLookup | NativeComplete | NativeException;

export interface MontyStartOptions {
  inputs?: Record<string, unknown>;
  limits?: {
    maxAllocations?: number;
    maxDurationSecs?: number;
    maxMemory?: number;
    maxRecursionDepth?: number;
  };
  printCallback?: (stream: string, text: string) => undefined;
}

export interface NativeMonty {
  start(options?: MontyStartOptions): Progress;
  typeCheck(prefixCode?: string | null): NativeTypingError | null;
}

interface NativeBindings {
  Monty: {
    create(
      code: string,
      options?: { scriptName?: string; inputs?: string[] },
    ): NativeMonty | NativeException | NativeTypingError;
  };
  MontySnapshot: (abstract new (
    ...args: never[]
  ) => NativeSnapshot) & {
    load(
      data: Buffer,
      options?: { printCallback?: (stream: string, text: string) => undefined },
    ): NativeSnapshot;
  };
  MontyNameLookup: abstract new (...args: never[]) => NativeNameLookup;
  MontyComplete: abstract new (...args: never[]) => NativeComplete;
  MontyException: abstract new (...args: never[]) => NativeException;
  MontyTypingError: abstract new (...args: never[]) => NativeTypingError;
}

const bindingsUrl = new URL("./index.js", import.meta.resolve("@pydantic/monty"));

/**
 * The Monty build in use (its package's version): part of a suspended run's layout, since a
 * snapshot dumped by one build may not load in another.
 */
export const MONTY_VERSION: string = (
  JSON.parse(readFileSync(new URL("./package.json", bindingsUrl), "utf8")) as { version: string }
).version;
export const monty: NativeBindings = (await import(bindingsUrl.href)) as NativeBindings;
