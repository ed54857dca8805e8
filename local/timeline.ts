// The local run's readable account of a refresh cycle: one line per step, with the time since the start.
export type TimelineStep =
  | 'trigger'
  | 'rule'
  | 'task'
  | 'start'
  | 'load'
  | 'notice'
  | 'outcome'
  | 'hook'
  | 'rows'
  | 'alert'
  | 'success'
  | 'metrics'
  | 'result';

export class Timeline {
  private readonly startedAt = performance.now();
  readonly lines: string[] = [];

  constructor(private readonly write: (line: string) => void = (line) => console.log(line)) {}

  add(step: TimelineStep, text: string): void {
    const seconds = ((performance.now() - this.startedAt) / 1000).toFixed(3).padStart(7);
    const line = `${seconds}s  ${step.padEnd(8)} ${text}`;
    this.lines.push(line);
    this.write(line);
  }

  heading(text: string): void {
    this.write(`\n== ${text}`);
  }
}
