import { clearLine, createInterface, cursorTo, type Interface } from "node:readline";
import type { Readable, Writable } from "node:stream";

export type Completer = (line: string) => Promise<[string[], string]>;

export interface LineInputOptions {
  input: Readable;
  output: Writable;
  /** A person at a terminal: prompts, line editing, Tab completion. Otherwise lines are read as a script. */
  terminal: boolean;
  completer?: Completer;
  /** Ctrl-C with an empty line, or SIGINT while a command runs. */
  onInterrupt?: () => void;
}

/**
 * Lines from a terminal or a pipe, one at a time, whenever the console is ready for the next. Lines that arrive
 * early (a pipe delivers everything at once) wait in a queue, so a form opened by the bot reads the lines that
 * follow the command, exactly as a person would type them.
 */
export class LineInput {
  private readonly rl: Interface;
  private readonly queue: string[] = [];
  private waiter: ((line: string | undefined) => void) | undefined;
  private ended = false;
  private atPrompt = false;

  constructor(private readonly options: LineInputOptions) {
    const completer = options.completer;
    this.rl = createInterface({
      input: options.input,
      output: options.output,
      terminal: options.terminal,
      historySize: 500,
      ...(options.terminal && completer
        ? {
            completer: (line: string, callback: (error: Error | null, result?: [string[], string]) => void) => {
              completer(line).then(
                (result) => callback(null, result),
                () => callback(null, [[], line]),
              );
            },
          }
        : {}),
    });
    this.rl.on("line", (line) => this.push(line));
    this.rl.on("close", () => {
      this.ended = true;
      this.resolve(undefined);
    });
    this.rl.on("SIGINT", () => {
      // Like a shell: Ctrl-C clears a half-typed line; on an empty line it leaves.
      if (this.atPrompt && this.rl.line.length > 0) {
        this.options.output.write("^C\n");
        this.rl.write(null, { ctrl: true, name: "u" });
        this.rl.prompt();
        return;
      }
      options.onInterrupt?.();
    });
  }

  /** The next line, after showing `prompt`; undefined once input has ended (Ctrl-D, end of a pipe, close()). */
  next(prompt: string): Promise<string | undefined> {
    const queued = this.queue.shift();
    if (queued !== undefined) {
      this.echo(prompt, queued);
      return Promise.resolve(queued);
    }
    if (this.ended) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      this.atPrompt = true;
      if (this.options.terminal) {
        this.rl.setPrompt(prompt);
        this.rl.prompt();
      }
      this.waiter = (line) => {
        this.atPrompt = false;
        if (line !== undefined) this.echo(prompt, line);
        resolve(line);
      };
    });
  }

  /** Writes output; while a person is typing at the prompt it goes above the line they are editing. */
  print(lines: string | readonly string[]): void {
    const text = `${typeof lines === "string" ? lines : lines.join("\n")}\n`;
    const output = this.options.output;
    if (this.options.terminal && this.atPrompt) {
      clearLine(output, 0);
      cursorTo(output, 0);
      output.write(text);
      this.rl.prompt(true);
      return;
    }
    output.write(text);
  }

  close(): void {
    this.rl.close();
  }

  private push(line: string): void {
    if (this.waiter) this.resolve(line);
    else this.queue.push(line);
  }

  private resolve(line: string | undefined): void {
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.(line);
  }

  /** A script's lines are shown after the prompt, so the output reads like the session a person would have had. */
  private echo(prompt: string, line: string): void {
    if (!this.options.terminal) this.options.output.write(`${prompt}${line}\n`);
  }
}
