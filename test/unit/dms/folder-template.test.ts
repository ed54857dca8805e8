// The S3 target folder's template: date parts rendered in the configured time zone (the run's local date,
// across midnight and daylight-saving changes), and every problem with a template or a time zone named at
// cold start: an unknown date part, a character S3 keys do not take safely, a leading or trailing slash, an
// empty or dot folder, a time zone that is not IANA.
import { describe, expect, it } from 'vitest';
import { folderTemplateProblems, renderFolder } from '#shared/dms/folder-template';

describe('renderFolder', () => {
  it('renders each date part, zero-padded, in UTC', () => {
    const folder = { template: 'exports/{yyyy}/{MM}/{dd}/{HH}{mm}', timeZone: 'UTC' };
    expect(renderFolder(folder, new Date('2026-03-05T07:09:00Z'))).toBe('exports/2026/03/05/0709');
  });

  it("uses the run's date where the time zone is: a nightly run at 00:00 UTC is still yesterday in New York", () => {
    const at = new Date('2026-11-23T00:00:00Z');
    expect(renderFolder({ template: '{yyyy}-{MM}-{dd}', timeZone: 'America/New_York' }, at)).toBe(
      '2026-11-22',
    );
    expect(renderFolder({ template: '{yyyy}-{MM}-{dd}', timeZone: 'Asia/Tokyo' }, at)).toBe('2026-11-23');
  });

  it('follows daylight saving time', () => {
    const berlin = { template: '{dd} {HH}:{mm}', timeZone: 'Europe/Berlin' };
    expect(renderFolder(berlin, new Date('2026-03-28T23:30:00Z'))).toBe('29 00:30');
    expect(renderFolder(berlin, new Date('2026-03-29T23:30:00Z'))).toBe('30 01:30');
  });

  it('leaves a template without date parts as it is', () => {
    expect(renderFolder({ template: 'exports/latest', timeZone: 'UTC' }, new Date())).toBe('exports/latest');
  });
});

describe('folderTemplateProblems', () => {
  it('accepts the usual templates', () => {
    for (const template of ['exports/{yyyy}/{MM}/{dd}', 'dms', "a-b_c.d!e*f'(g)/{HH}"]) {
      expect(folderTemplateProblems(template, 'Europe/Berlin'), template).toEqual([]);
    }
  });

  it.each([
    ['exports/{YYYY}/{mm}', 'uses {YYYY}, which is not a date part'],
    ['exports/{yyyy} {MM}', 'holds a character S3 keys do not take safely'],
    ['exports/{yyyy}}', 'holds a character S3 keys do not take safely'],
    ['/exports/{yyyy}', 'starts or ends with a slash'],
    ['exports/', 'starts or ends with a slash'],
    ['exports//{dd}', 'has an empty, "." or ".." folder'],
    ['exports/../{dd}', 'has an empty, "." or ".." folder'],
    [`${'x'.repeat(513)}`, 'is longer than 512 characters'],
  ])('names the problem with %j', (template, problem) => {
    expect(folderTemplateProblems(template, 'UTC').join('; ')).toContain(problem);
  });

  it('refuses a time zone that is not IANA', () => {
    expect(folderTemplateProblems('x', 'Mars/Olympus')).toEqual([
      'time zone "Mars/Olympus" is not an IANA time zone (e.g. UTC, Europe/Berlin)',
    ]);
  });
});
