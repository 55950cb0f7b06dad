import { adversarialSuite } from "./suite.js";

// Every program that cannot take the host down (see `processOnly` in corpus.ts).
adversarialSuite("in-process");
