// Columns line up whether or not their cells are coloured.
import { describe, expect, it } from 'vitest';
import { COLOUR } from '../../../cli/output.ts';
import { renderFacts, renderTable, visibleLength } from '../../../cli/table.ts';

describe('renderTable', () => {
  it('pads each column to its widest cell, two spaces apart, with no trailing spaces', () => {
    expect(
      renderTable(
        ['A', 'BB', 'C'],
        [
          ['xxx', 'y', 'z'],
          ['x', 'yyy', ''],
        ],
      ),
    ).toEqual(['A    BB   C', 'xxx  y    z', 'x    yyy']);
  });

  it('measures coloured cells by what shows', () => {
    const plain = renderTable(['OUTCOME', 'N'], [['failed', '1']]);
    const coloured = renderTable(['OUTCOME', 'N'], [[COLOUR.bad('failed'), '1']]);
    expect(coloured[1]).toBe(`${COLOUR.bad('failed')}   1`);
    expect(coloured.map(visibleLength)).toEqual(plain.map((line) => line.length));
  });
});

describe('renderFacts', () => {
  it('aligns the values after the longest label', () => {
    expect(
      renderFacts([
        ['Task', 'stopped'],
        ['Schedule rule', 'ENABLED'],
        ['Lock', ''],
      ]),
    ).toEqual(['Task:           stopped', 'Schedule rule:  ENABLED', 'Lock:']);
  });
});
