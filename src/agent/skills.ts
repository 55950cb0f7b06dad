import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { InvalidOptionsError } from "../errors.js";

/** A skill: literal text, or a file whose contents are read at construction. */
export type Skill = string | { path: string } | URL;

/** Reads every skill now, so a missing file fails at construction, not mid-conversation. */
export function loadSkills(skills: readonly Skill[]): string[] {
  return skills.map((skill, index) => {
    if (typeof skill === "string") {
      return skill.startsWith("file:") ? readSkillFile(fileURLToPath(skill)) : skill;
    }
    if (skill instanceof URL) return readSkillFile(fileURLToPath(skill));
    if (skill && typeof skill === "object" && typeof skill.path === "string") {
      return readSkillFile(skill.path);
    }
    throw new InvalidOptionsError(
      `skills[${index}] must be a string, { path } or a file: URL (got ${typeof skill}).`,
    );
  });
}

function readSkillFile(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : String(error);
    throw new InvalidOptionsError(`Cannot read skill file ${path}: ${reason}.`, { cause: error });
  }
}
