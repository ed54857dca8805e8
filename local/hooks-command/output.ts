// Why this file exists: the hooks command's actions print through this port, not console, so the command can be
// driven in-process as well as from a shell. Results go to `out`; the one-line reason of exit code 2 to `err`.

export interface Output {
  out(line: string): void;
  err(line: string): void;
}

export const consoleOutput: Output = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};
