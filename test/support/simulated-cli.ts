// The command line over a simulated deployment, as the simulated CLI suites drive it: `run` through an invoker
// that calls the real task-starter in-process (its answer parsed as the Lambda client's would be), `wait`,
// `stop` and `resume` over the same ports, polls that sleep on a manual clock and let DMS take a step, and
// every line the commands print kept (stdout, stderr, and the progress lines apart).
import type { Deployment } from '../../cli/deployment.ts';
import type { FollowTiming } from '../../cli/follow.ts';
import { PLAIN, type Printer } from '../../cli/output.ts';
import { lineDisplay } from '../../cli/progress.ts';
import { resumeSchedule } from '../../cli/resume.ts';
import { startFromCommandLine } from '../../cli/start.ts';
import { stopTask } from '../../cli/stop.ts';
import { parseStarterAnswer, type TaskStarterInvoker } from '../../cli/task-starter-invoker.ts';
import { followToReport, type WaitPorts, waitForRun } from '../../cli/wait.ts';
import type { StarterHandler } from '../../functions/task-starter/app.ts';
import type { ManualClock } from './ports.ts';

type StopPorts = Parameters<typeof stopTask>[0];

export interface SimulatedCliParts {
  readonly starter: StarterHandler;
  /** The task-starter's function name, as the invoker would call it. */
  readonly functionName: string;
  readonly stackName: string;
  readonly deployment: Deployment;
  readonly clock: ManualClock;
  readonly intervalMs: number;
  /** DMS, able to stop a task, and to take one step of its work between two polls. */
  readonly dms: WaitPorts['tasks'] & StopPorts['stopper'] & { tick(): Promise<void> };
  readonly store: WaitPorts['store'] & StopPorts['store'];
  readonly rule: NonNullable<WaitPorts['rule']>;
}

export function simulatedCli(parts: SimulatedCliParts) {
  const { starter, functionName, stackName, deployment, clock, dms, store, rule } = parts;
  const invoker: TaskStarterInvoker = {
    invoke: async (request) =>
      parseStarterAnswer(
        functionName,
        undefined,
        new TextEncoder().encode(JSON.stringify(await starter(request))),
      ),
  };
  const stdout: string[] = [];
  const stderr: string[] = [];
  const printer: Printer = {
    paint: PLAIN,
    data: (line) => stdout.push(line),
    note: (line) => stderr.push(line),
  };
  const progress: string[] = [];
  /** Called at each poll's sleep, before DMS takes its step. */
  let beforeStep: (poll: number) => Promise<void> | void = () => {};
  let polls = 0;
  const timing: FollowTiming = {
    intervalMs: parts.intervalMs,
    clock: clock.date,
    failedPollsAllowed: 3,
    sleep: async (ms) => {
      polls += 1;
      await beforeStep(polls);
      clock.advance(ms);
      await dms.tick();
    },
  };
  const ports: WaitPorts = { tasks: dms, store, rule };
  const display = () =>
    lineDisplay((line) => {
      progress.push(line);
      stderr.push(line);
    }, clock.date);
  const options = (json: boolean) => ({ printer, json, stackName });
  return {
    stdout,
    stderr,
    progress,
    onPoll: (step: typeof beforeStep) => {
      beforeStep = step;
    },
    runWait: () =>
      startFromCommandLine(invoker, {}, options(false), () =>
        followToReport(ports, deployment, timing, display()),
      ),
    runJson: () =>
      startFromCommandLine(invoker, {}, options(true), () =>
        followToReport(ports, deployment, timing, display()),
      ),
    run: () => startFromCommandLine(invoker, {}, options(false), undefined),
    wait: () => waitForRun(ports, deployment, timing, { printer, progress: display(), json: false }),
    stop: () => stopTask({ tasks: dms, stopper: dms, store }, deployment, { at: clock.date() }),
    resume: () => resumeSchedule({ store, rule }, deployment),
  };
}
