// Why this file exists: `wait` shows its progress on stderr, two ways. On a terminal, one bar redrawn in
// place (cli-progress: maintained, no dependencies of its own, draws only when its stream is a TTY); in a pipe,
// a log file or CI, plain lines, one when something changes and at least one a minute, so a log shows the run
// without a wall of carriage returns. Only the command line imports this file, so cli-progress never reaches
// a Lambda bundle (test/unit/cli/progress-bundle.test.ts checks each function's bundle). A run group's run
// has one bar per member (and one for the group once they have ended), or in a pipe lines per member, each
// starting with the member's name.
import cliProgress from 'cli-progress';
import { formatProgressLine, formatTables, formatTimes, type ProgressView } from './follow.ts';
import type { Stream } from './output.ts';

export interface ProgressDisplay {
  show(view: ProgressView): void;
  /** A line of its own (a retried poll), printed without breaking the bar. */
  note(line: string): void;
  /** Leaves the terminal clean: the bar's last state stays, the cursor on a line of its own. */
  end(): void;
}

/** The bar only where it can be drawn: stderr is a terminal. Colour never enters it (NO_COLOR holds). */
export function progressDisplayFor(stderr: Stream, clock: () => Date): ProgressDisplay {
  // A stream that says it is a terminal is the process's own (a test's buffer never does).
  return stderr.isTTY === true
    ? barDisplay(stderr as NodeJS.WriteStream)
    : lineDisplay((line) => stderr.write(`${line}\n`), clock);
}

export function barDisplay(stream: NodeJS.WriteStream): ProgressDisplay {
  const bars = new cliProgress.MultiBar(
    {
      stream,
      format: '{label}{bar} {percent} | tables: {tables} | {stage} | {times}',
      barsize: 24,
      hideCursor: false,
      clearOnComplete: false,
      // Redrawn at each poll, not on a timer: nothing moves between two polls.
      noTTYOutput: false,
      autopadding: true,
    },
    cliProgress.Presets.shades_classic,
  );
  // One bar per task (one task: a single bar with no label); labels padded to the longest, so bars line up.
  const bySubject = new Map<string, cliProgress.SingleBar>();
  let labelWidth = 0;
  const labelOf = (key: string) => (key === '' ? '' : `${key.padEnd(labelWidth)} `);
  return {
    show: (view) => {
      const key = view.label ?? '';
      if (key.length > labelWidth) {
        labelWidth = key.length;
        // A longer name came: the bars drawn so far are padded again, so all of them still line up.
        for (const [other, bar] of bySubject) bar.update({ label: labelOf(other) });
      }
      const payload = {
        label: labelOf(key),
        percent: view.percent === null ? '--%' : `${view.percent}%`,
        tables: view.settled
          ? `${view.settled.done}/${view.settled.total} tasks ended`
          : formatTables(view.tables),
        stage: view.stage,
        times: formatTimes(view),
      };
      const bar = bySubject.get(key);
      if (bar === undefined) bySubject.set(key, bars.create(100, view.percent ?? 0, payload));
      else bar.update(view.percent ?? 0, payload);
      bars.update();
    },
    note: (line) => {
      bars.log(`${line}\n`);
      bars.update();
    },
    end: () => bars.stop(),
  };
}

/** How often a plain line is printed when nothing changes: enough to show the wait is alive. */
export const QUIET_LINE_EVERY_MS = 60_000;

/** Plain lines; for a group, each member's own: a line when it changes, and at least one a minute. */
export function lineDisplay(write: (line: string) => void, clock: () => Date): ProgressDisplay {
  const lastOf = new Map<string, { text: string; at: number }>();
  return {
    show: (view) => {
      // Compared without the times, which change at every poll.
      const text = formatProgressLine({ ...view, elapsedMs: 0, remainingMs: null });
      const now = clock().getTime();
      const key = view.label ?? '';
      const last = lastOf.get(key);
      if (last !== undefined && last.text === text && now - last.at < QUIET_LINE_EVERY_MS) return;
      lastOf.set(key, { text, at: now });
      write(formatProgressLine(view));
    },
    note: write,
    end: () => {},
  };
}
