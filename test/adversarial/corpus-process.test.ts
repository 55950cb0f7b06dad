import { adversarialSuite } from "./suite.js";

// Every program, including the ones that crash or wedge a sandbox process.
adversarialSuite("process");
