import { describe, expect, it } from "vitest";
import { LlmError } from "../../src/errors.js";
import { parseModelId } from "../../src/llm/model-id.js";

describe("parseModelId", () => {
  it("splits provider and model at the first colon", () => {
    expect(parseModelId("anthropic:claude-haiku-4-5")).toEqual({
      provider: "anthropic",
      modelName: "claude-haiku-4-5",
    });
    expect(parseModelId("ollama:llama3.2:3b")).toEqual({
      provider: "ollama",
      modelName: "llama3.2:3b",
    });
    expect(parseModelId("replay:C:\\demo\\run.jsonl").modelName).toBe("C:\\demo\\run.jsonl");
    expect(parseModelId("OpenAI:gpt-4.1-mini").provider).toBe("openai");
  });

  it("needs a provider and says how to write one", () => {
    expect(() => parseModelId("gpt-4o")).toThrow(LlmError);
    expect(() => parseModelId("gpt-4o")).toThrow(/provider:model.*anthropic:claude-haiku-4-5/);
    expect(() => parseModelId("")).toThrow(/No model given/);
  });

  it("lists the known providers for an unknown one", () => {
    expect(() => parseModelId("mistral:large")).toThrow(
      /Unknown provider "mistral".*anthropic, openai, ollama, replay/,
    );
    expect(parseModelId("mistral:large", ["mistral"]).provider).toBe("mistral");
  });

  it("needs a model name after the provider", () => {
    expect(() => parseModelId("openai:")).toThrow(/no model name/);
  });
});
