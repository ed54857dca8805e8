// Colour only on a terminal, never with NO_COLOR (no-color.org: set and not empty) or --no-color.
import { describe, expect, it } from 'vitest';
import { colourWanted, printerFor } from '../../../cli/output.ts';

describe('colourWanted', () => {
  it.each([
    [true, {}, true, true],
    [false, {}, true, false],
    [true, { NO_COLOR: '1' }, true, false],
    [true, { NO_COLOR: 'false' }, true, false],
    [true, { NO_COLOR: '' }, true, true],
    [true, {}, false, false],
  ])('stdout a TTY: %s, env %j, colour option %s → %s', (stdoutIsTty, env, colourOption, expected) => {
    expect(colourWanted({ stdoutIsTty, env, colourOption })).toBe(expected);
  });
});

describe('printerFor', () => {
  it('writes data to stdout and notes to stderr, a line each', () => {
    const written = { stdout: '', stderr: '' };
    const printer = printerFor(
      {
        stdout: { write: (text: string) => (written.stdout += text) },
        stderr: { write: (text: string) => (written.stderr += text) },
        env: {},
        now: () => new Date(0),
      },
      false,
    );
    printer.data('row');
    printer.note('note');
    expect(written).toEqual({ stdout: 'row\n', stderr: 'note\n' });
    expect(printer.paint.bad('failed')).toBe('failed');
  });
});
