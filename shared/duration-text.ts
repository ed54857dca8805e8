// Why this file exists: a run's duration is read by people in notices (and on the command line): "12m 40s"
// says more at a glance than milliseconds. Pure, so each form is tested on its own. The command line uses the
// same words (cli/time-text.ts re-exports it).

/** "42s", "12m 40s", "1h 02m", "2d 03h": the two largest units, short enough for an SNS subject. */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m ${pad(seconds % 60)}s`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours}h ${pad(minutes % 60)}m`;
  return `${Math.floor(hours / 24)}d ${pad(hours % 24)}h`;
}

const pad = (n: number) => String(n).padStart(2, '0');
