// Why this file exists: what the program prints, and how, is decided in one place. Data (the tables, the
// JSON) goes to stdout, so `dms-scheduler history --json | jq` sees nothing else; progress, notes and error
// lines go to stderr. Colour is used only when stdout is a terminal, NO_COLOR is unset (no-color.org) and
// --no-color was not given: a pipe, a log file or a CI job gets plain text.

type Env = Readonly<Record<string, string | undefined>>;

/** A stream the program writes to: process.stdout / stderr, or a buffer in tests. */
export interface Stream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
}

export interface CliIo {
  readonly stdout: Stream;
  readonly stderr: Stream;
  readonly env: Env;
  readonly now: () => Date;
  /**
   * Calls `handler` on Ctrl-C (SIGINT) until the returned function is called; absent where there is no
   * terminal to interrupt (tests in-process). Only `wait` listens: every other command ends as Node does.
   */
  readonly onInterrupt?: (handler: () => void) => () => void;
}

export function colourWanted(options: { stdoutIsTty: boolean; env: Env; colourOption: boolean }): boolean {
  const noColor = options.env.NO_COLOR;
  // no-color.org: "when present and not an empty string", whatever its value.
  const noColorSet = noColor !== undefined && noColor !== '';
  return options.colourOption && options.stdoutIsTty && !noColorSet;
}

/** How a word is marked: good news, bad news, something in progress or needing a look, and quiet detail. */
export interface Paint {
  good(text: string): string;
  bad(text: string): string;
  warn(text: string): string;
  dim(text: string): string;
  bold(text: string): string;
}

const sgr = (open: number, close: number) => (text: string) => `\u001b[${open}m${text}\u001b[${close}m`;

export const COLOUR: Paint = {
  good: sgr(32, 39),
  bad: sgr(31, 39),
  warn: sgr(33, 39),
  dim: sgr(2, 22),
  bold: sgr(1, 22),
};

const same = (text: string) => text;
export const PLAIN: Paint = { good: same, bad: same, warn: same, dim: same, bold: same };

/** The printer a command uses: lines of data, lines of notes, and the paint its data is marked with. */
export interface Printer {
  readonly paint: Paint;
  data(line: string): void;
  note(line: string): void;
}

export function printerFor(io: CliIo, colour: boolean): Printer {
  return {
    paint: colour ? COLOUR : PLAIN,
    data: (line) => io.stdout.write(`${line}\n`),
    note: (line) => io.stderr.write(`${line}\n`),
  };
}

/**
 * A reader that stops early (`dms-scheduler history | head -1`) closes the pipe; that ends the program
 * quietly, with the exit code it had, as any Unix tool does, instead of with an EPIPE stack trace.
 */
export function endQuietlyOnClosedPipe(stream: NodeJS.WriteStream): void {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    process.exit(process.exitCode ?? 0);
  });
}
