/** Filled in by its issue; kept so src/index.ts can re-export it from the start. */
export {};
