// The simplest hook: records the finished run's figures in the log. It is the default, so a fresh deployment
// shows the hook path working end to end before a team adds its own.
import type { Hook } from './contract.ts';

export function logRunHook(): Hook {
  return {
    name: 'log-run',
    async run({ run, log }) {
      log.info('run finished', {
        task: run.taskIdentifier,
        outcome: run.outcome.kind,
        tablesLoaded: run.stats?.tablesLoaded,
        tablesErrored: run.stats?.tablesErrored,
        elapsedTimeMillis: run.stats?.elapsedTimeMillis,
      });
      return { changed: 'nothing (logged the run)' };
    },
  };
}
