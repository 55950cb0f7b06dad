/**
 * Progress of an agent run on stderr: one line per phase and tool call, and a spinner
 * while waiting when stderr is a terminal. stdout stays clean for the answer or JSON.
 */
import type { AgentEvent } from "../agent/types.js";

const FRAMES = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

export class Progress {
  private timer: NodeJS.Timeout | undefined;
  private label = "";
  private frame = 0;
  private readonly tty: boolean;
  private maxTurns = 1;

  constructor(private readonly stream: NodeJS.WriteStream = process.stderr) {
    this.tty = Boolean(stream.isTTY) && process.env.CI === undefined;
  }

  onEvent = (event: AgentEvent): void => {
    // With the turn loop on, the tag names the turn too: [turn 2/10, 1/3].
    const tag =
      this.maxTurns > 1
        ? `[turn ${event.turn ?? 1}/${this.maxTurns}, ${event.attempt}/${event.maxAttempts}]`
        : `[${event.attempt}/${event.maxAttempts}]`;
    switch (event.type) {
      case "turn_start":
        this.maxTurns = event.maxTurns;
        break;
      case "turn_end": {
        const { record } = event;
        if (record.kind === "look") {
          this.line(`[turn ${record.turn}/${event.maxTurns}] looked: ${preview(record.value)}`);
        }
        break;
      }
      case "generating_code":
        this.spin(`${tag} asking the model for code`);
        break;
      case "code_generated":
        this.line(`${tag} code generated (${event.code.split("\n").length} lines)`);
        break;
      case "executing":
        this.spin(`${tag} running in the sandbox`);
        break;
      case "tool_call":
        this.line(`${tag} → ${event.call.name}(${preview(event.call.args)})`);
        break;
      case "tool_result": {
        const r = event.record;
        const how = r.ok ? "ok" : `${r.error?.type}: ${r.error?.message}`;
        this.line(`${tag} ← ${r.name} ${how} (${r.durationMs.toFixed(0)} ms)`);
        break;
      }
      case "retrying":
        this.line(`${tag} attempt failed, retrying: ${event.error.split("\n")[0]}`);
        break;
      case "formatting":
        this.line(`${tag} done`);
        break;
      case "done":
        this.stop();
        break;
      case "output":
        break;
    }
  };

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    if (this.tty) this.stream.write("\r\x1b[K");
  }

  private line(text: string): void {
    if (this.tty) this.stream.write("\r\x1b[K");
    this.stream.write(`${text}\n`);
    if (this.timer) this.draw();
  }

  private spin(label: string): void {
    this.label = label;
    if (!this.tty) {
      this.stream.write(`${label}…\n`);
      return;
    }
    this.draw();
    this.timer ??= setInterval(() => this.draw(), 80);
    this.timer.unref();
  }

  private draw(): void {
    this.frame = (this.frame + 1) % FRAMES.length;
    this.stream.write(`\r\x1b[K${FRAMES[this.frame]} ${this.label}`);
  }
}

function preview(args: unknown): string {
  const text = JSON.stringify(args) ?? "";
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
