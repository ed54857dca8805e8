// Choosing what to export (every given tag must match; a named task must exist; two resources that become
// one name once the prefix is stripped are refused), and the folder on disk: what writeDefinitions writes
// reads back equal, and reading names each missing, unparsable or orphaned file.
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type {
  Endpoint,
  ReplicationInstance,
  ReplicationTask,
} from '@aws-sdk/client-database-migration-service';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { exportDefinitions, SelectionError } from '#shared/definitions/export';
import { readDefinitions, writeDefinitions } from '#shared/definitions/folder';
import { DefinitionsError } from '#shared/definitions/model';
import type { DmsReader, Tags } from '#shared/definitions/ports';
import { rejection } from '../../support/rejection.ts';

const mappings = JSON.stringify({
  rules: [
    {
      'rule-type': 'selection',
      'rule-id': '1',
      'rule-name': 'a',
      'object-locator': { 'schema-name': 'a', 'table-name': '%' },
      'rule-action': 'include',
    },
  ],
});

function reader(
  tags: Record<string, Tags>,
  extra: { endpoints?: Endpoint[]; tasks?: ReplicationTask[] } = {},
): DmsReader {
  const endpoints: Endpoint[] = [
    { EndpointIdentifier: 'dev-src', EndpointArn: 'arn:src', EndpointType: 'source', EngineName: 's3' },
    { EndpointIdentifier: 'dev-dst', EndpointArn: 'arn:dst', EndpointType: 'target', EngineName: 's3' },
    ...(extra.endpoints ?? []),
  ];
  const instances: ReplicationInstance[] = [
    {
      ReplicationInstanceIdentifier: 'dev-main',
      ReplicationInstanceArn: 'arn:main',
      ReplicationInstanceClass: 'dms.t3.small',
    },
  ];
  const task = (id: string, source = 'arn:src'): ReplicationTask => ({
    ReplicationTaskIdentifier: id,
    ReplicationTaskArn: `arn:${id}`,
    SourceEndpointArn: source,
    TargetEndpointArn: 'arn:dst',
    ReplicationInstanceArn: 'arn:main',
    MigrationType: 'full-load',
    TableMappings: mappings,
  });
  const tasks = [task('dev-a'), task('dev-b'), ...(extra.tasks ?? [])];
  return {
    tasks: async () => tasks,
    endpoints: async () => endpoints,
    replicationInstances: async () => instances,
    tags: async (arns) => new Map(arns.map((arn) => [arn, tags[arn] ?? {}])),
  };
}

describe('exportDefinitions', () => {
  it('a task is chosen only when it has every given tag', async () => {
    const source = reader({
      'arn:dev-a': { team: 'orders', promote: 'yes' },
      'arn:dev-b': { team: 'orders' },
    });
    const { definitions } = await exportDefinitions(
      source,
      { by: 'tags', tags: { team: 'orders', promote: 'yes' } },
      { stripPrefix: 'dev-' },
    );
    expect(Object.keys(definitions.tasks)).toEqual(['a']);
    expect(definitions.tasks.a).toMatchObject({
      sourceEndpoint: 'src',
      targetEndpoint: 'dst',
      replicationInstance: 'main',
    });
  });

  it('no task with the tags, or a named task that does not exist: SelectionError', async () => {
    expect(await rejection(exportDefinitions(reader({}), { by: 'tags', tags: { promote: 'yes' } }))).toEqual(
      new SelectionError('no replication task has the tags promote=yes'),
    );
    expect(
      await rejection(exportDefinitions(reader({}), { by: 'identifiers', identifiers: ['dev-a', 'dev-z'] })),
    ).toEqual(new SelectionError('no replication task dev-z in this account and region'));
  });

  it('refuses two different endpoints that become one name once the prefix is stripped', async () => {
    const source = reader(
      {},
      {
        endpoints: [
          {
            EndpointIdentifier: 'src',
            EndpointArn: 'arn:src2',
            EndpointType: 'source',
            EngineName: 'kinesis',
          },
        ],
        tasks: [
          {
            ReplicationTaskIdentifier: 'c',
            ReplicationTaskArn: 'arn:c',
            SourceEndpointArn: 'arn:src2',
            TargetEndpointArn: 'arn:dst',
            ReplicationInstanceArn: 'arn:main',
            MigrationType: 'cdc',
            TableMappings: mappings,
          },
        ],
      },
    );
    const error = await rejection(
      exportDefinitions(source, { by: 'identifiers', identifiers: ['dev-a', 'c'] }, { stripPrefix: 'dev-' }),
    );
    expect(error).toEqual(
      new SelectionError(
        'two endpoints are both named src once the prefix is removed: export them separately',
      ),
    );
  });
});

describe('the folder', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'definitions-folder-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads back what was written, settings file and all', async () => {
    const { definitions } = await exportDefinitions(reader({}), {
      by: 'identifiers',
      identifiers: ['dev-a'],
    });
    const withSettings = {
      ...definitions,
      tasks: {
        'dev-a': { ...definitions.tasks['dev-a'], settings: { TargetMetadata: { SupportLobs: true } } },
      },
    } as typeof definitions;
    expect(writeDefinitions(dir, withSettings)).toEqual(['manifest.json', 'tm-dev-a.json', 'rts-dev-a.json']);
    expect(readDefinitions(dir)).toEqual(withSettings);
  });

  it('names a missing table mapping, an unparsable file and a file of no task', async () => {
    const { definitions } = await exportDefinitions(reader({}), {
      by: 'identifiers',
      identifiers: ['dev-a', 'dev-b'],
    });
    writeDefinitions(dir, definitions);
    rmSync(join(dir, 'tm-dev-a.json'));
    writeFileSync(join(dir, 'tm-dev-b.json'), '{ "rules": [ ');
    writeFileSync(join(dir, 'rts-dev-c.json'), '{}');
    const error = (() => {
      try {
        readDefinitions(dir);
      } catch (thrown) {
        return thrown;
      }
      throw new Error('expected readDefinitions to fail');
    })();
    expect(error).toBeInstanceOf(DefinitionsError);
    const problems = (error as DefinitionsError).problems.map((p) => `${p.file} ${p.path}: ${p.message}`);
    expect(problems).toEqual([
      `tm-dev-a.json $: missing: ${join(dir, 'tm-dev-a.json')} does not exist`,
      expect.stringMatching(/^tm-dev-b\.json \$: not valid JSON \(/),
      'rts-dev-c.json $: no task "dev-c" in manifest.json: add it to tasks, or remove the file',
    ]);
    expect(readdirSync(dir)).toContain('rts-dev-c.json');
  });
});
