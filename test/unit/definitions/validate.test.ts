// Validation before any call: each DMS rule the table-mapping, task-settings and manifest checks enforce is
// broken once here, and the problem must name the file and the JSON path of the value at fault; a valid
// file (the shapes DMS documents) must give no problem at all.
import { describe, expect, it } from 'vitest';
import { formatPath } from '#shared/definitions/json-path';
import { PASSWORD_PLACEHOLDER } from '#shared/definitions/model';
import { validateManifest } from '#shared/definitions/validate-manifest';
import { validateTableMappings } from '#shared/definitions/validate-table-mappings';
import { validateTaskSettings } from '#shared/definitions/validate-task-settings';

const selection = (overrides: Record<string, unknown> = {}) => ({
  'rule-type': 'selection',
  'rule-id': '1',
  'rule-name': 'all',
  'object-locator': { 'schema-name': 'public', 'table-name': '%' },
  'rule-action': 'include',
  ...overrides,
});

describe('formatPath', () => {
  it('prints plain keys with dots, others quoted, indices in brackets', () => {
    expect(formatPath(['rules', 2, 'object-locator', 'schema-name'])).toBe(
      '$.rules[2]["object-locator"]["schema-name"]',
    );
    expect(formatPath([])).toBe('$');
  });
});

describe('validateTableMappings', () => {
  it('accepts selection, transformation and table-settings rules as DMS documents them', () => {
    const mappings = {
      rules: [
        selection(),
        selection({
          'rule-id': 2,
          'rule-name': 'skip-tmp',
          'rule-action': 'exclude',
          filters: [{ 'filter-type': 'source', 'column-name': 'id', 'filter-conditions': [] }],
        }),
        {
          'rule-type': 'transformation',
          'rule-id': '3',
          'rule-name': 'rename',
          'rule-target': 'schema',
          'object-locator': { 'schema-name': 'public' },
          'rule-action': 'rename',
          value: 'app',
        },
        {
          'rule-type': 'transformation',
          'rule-id': '4',
          'rule-name': 'mask',
          'rule-target': 'column',
          'object-locator': { 'schema-name': 'public', 'table-name': 'customers', 'column-name': 'ssn' },
          'rule-action': 'data-masking-hash-mask',
        },
        {
          'rule-type': 'table-settings',
          'rule-id': '5',
          'rule-name': 'parallel',
          'object-locator': { 'schema-name': 'public', 'table-name': 'orders' },
          'parallel-load': { type: 'partitions-auto' },
        },
      ],
    };
    expect(validateTableMappings('tm-orders.json', mappings)).toEqual([]);
  });

  it.each([
    ['not an object', [], '$', 'expected an object, got an array'],
    ['no rules', {}, '$.rules', 'is required (an array of rules)'],
    ['an unknown top-level key', { rules: [selection()], rule: [] }, '$.rule', 'unknown key (known: rules)'],
    [
      'an unknown rule type',
      { rules: [selection(), selection({ 'rule-id': '2', 'rule-name': 'x', 'rule-type': 'selecton' })] },
      '$.rules[1]["rule-type"]',
      '"selecton" is not one of selection, transformation, table-settings, post-processing',
    ],
    [
      'a selection without a table',
      { rules: [selection({ 'object-locator': { 'schema-name': 'public' } })] },
      '$.rules[0]["object-locator"]["table-name"]',
      'is required',
    ],
    [
      'a wrong selection action',
      { rules: [selection({ 'rule-action': 'keep' })] },
      '$.rules[0]["rule-action"]',
      '"keep" is not one of include, exclude, explicit',
    ],
    [
      'a duplicate rule-id',
      { rules: [selection(), selection({ 'rule-name': 'again' })] },
      '$.rules[1]["rule-id"]',
      'rule-id "1" is also used by rules[0]; each must be unique',
    ],
    [
      'a duplicate rule-name',
      { rules: [selection(), selection({ 'rule-id': '2' })] },
      '$.rules[1]["rule-name"]',
      'rule-name "all" is also used by rules[0]; each must be unique',
    ],
    [
      'a rule-id that is not a number',
      { rules: [selection({ 'rule-id': 'one' })] },
      '$.rules[0]["rule-id"]',
      'expected a number (or a string of digits)',
    ],
    [
      'a rename without its value',
      {
        rules: [
          selection(),
          {
            'rule-type': 'transformation',
            'rule-id': '2',
            'rule-name': 'r',
            'rule-target': 'table',
            'object-locator': { 'schema-name': 'a', 'table-name': 'b' },
            'rule-action': 'rename',
          },
        ],
      },
      '$.rules[1].value',
      'is required',
    ],
    [
      'a column rule without a column',
      {
        rules: [
          selection(),
          {
            'rule-type': 'transformation',
            'rule-id': '2',
            'rule-name': 'r',
            'rule-target': 'column',
            'object-locator': { 'schema-name': 'a', 'table-name': 'b' },
            'rule-action': 'convert-lowercase',
          },
        ],
      },
      '$.rules[1]["object-locator"]["column-name"]',
      'is required when rule-target is column',
    ],
    [
      'only exclusions',
      { rules: [selection({ 'rule-action': 'exclude' })] },
      '$.rules',
      'needs at least one selection rule whose rule-action is include or explicit',
    ],
  ])('%s', (_case, mappings, path, message) => {
    expect(validateTableMappings('tm-orders.json', mappings)).toContainEqual({
      file: 'tm-orders.json',
      path,
      message,
    });
  });
});

describe('validateTaskSettings', () => {
  it('accepts the sections DMS writes, nulls where DMS writes them', () => {
    const settings = {
      TargetMetadata: { SupportLobs: true },
      FullLoadSettings: { TargetTablePrepMode: 'TRUNCATE_BEFORE_LOAD' },
      Logging: {
        EnableLogging: true,
        LogComponents: [{ Id: 'TARGET_LOAD', Severity: 'LOGGER_SEVERITY_DEBUG' }],
      },
      BeforeImageSettings: null,
      FailTaskWhenCleanTaskResourceFailed: false,
    };
    expect(validateTaskSettings('rts-orders.json', settings)).toEqual([]);
  });

  it.each([
    [
      'a misspelt section',
      { FullLoadSetings: {} },
      '$.FullLoadSetings',
      expect.stringMatching(/^unknown key \(known: TargetMetadata, FullLoadSettings/),
    ],
    [
      'a section that is not an object',
      { Logging: true },
      '$.Logging',
      'expected an object, got boolean true',
    ],
    [
      'an unknown prep mode',
      { FullLoadSettings: { TargetTablePrepMode: 'DROP' } },
      '$.FullLoadSettings.TargetTablePrepMode',
      '"DROP" is not one of DO_NOTHING, DROP_AND_CREATE, TRUNCATE_BEFORE_LOAD',
    ],
    [
      'an unknown log severity',
      { Logging: { LogComponents: [{ Id: 'SOURCE_UNLOAD', Severity: 'LOUD' }] } },
      '$.Logging.LogComponents[0].Severity',
      expect.stringContaining('"LOUD" is not one of LOGGER_SEVERITY_ERROR'),
    ],
    [
      'a flag that is not a boolean',
      { FailTaskWhenCleanTaskResourceFailed: 'no' },
      '$.FailTaskWhenCleanTaskResourceFailed',
      'expected true or false',
    ],
  ])('%s', (_case, settings, path, message) => {
    expect(validateTaskSettings('rts-orders.json', settings)).toContainEqual({
      file: 'rts-orders.json',
      path,
      message,
    });
  });
});

describe('validateManifest', () => {
  const manifest = () => ({
    kind: 'dms-scheduler/definitions',
    version: 1,
    endpoints: {
      src: {
        type: 'source',
        engine: 'postgres',
        server: 'db',
        port: 5432,
        database: 'app',
        username: 'dms',
        auth: { kind: 'password', password: PASSWORD_PLACEHOLDER },
      },
      dst: {
        type: 'target',
        engine: 'postgres',
        database: 'app',
        auth: { kind: 'secrets-manager', secretArn: 'arn:aws:secretsmanager:us-east-1:1:secret:x' },
      },
    },
    replicationInstances: { main: { class: 'dms.t3.medium' } },
    tasks: {
      orders: {
        migrationType: 'full-load',
        sourceEndpoint: 'src',
        targetEndpoint: 'dst',
        replicationInstance: 'main',
      },
    },
  });

  it('accepts a consistent manifest', () => {
    expect(validateManifest(manifest()).problems).toEqual([]);
  });

  it.each([
    [
      'a task whose source is a target',
      (m: ReturnType<typeof manifest>) => {
        m.tasks.orders.sourceEndpoint = 'dst';
      },
      '$.tasks.orders.sourceEndpoint',
      'endpoint "dst" is a target endpoint, not a source',
    ],
    [
      'a task naming no instance',
      (m: ReturnType<typeof manifest>) => {
        m.tasks.orders.replicationInstance = 'big';
      },
      '$.tasks.orders.replicationInstance',
      'no replication instance "big" in replicationInstances',
    ],
    [
      'an identifier DMS refuses',
      (m: ReturnType<typeof manifest>) => {
        (m.tasks as Record<string, unknown>)['orders--x'] = m.tasks.orders;
      },
      '$.tasks["orders--x"]',
      expect.stringContaining('is not a DMS identifier'),
    ],
    [
      'a real password in the file',
      (m: ReturnType<typeof manifest>) => {
        m.endpoints.src.auth.password = 'hunter2';
      },
      '$.endpoints.src.auth.password',
      expect.stringContaining('a password is never kept in the folder'),
    ],
    [
      'a password in engine settings',
      (m: ReturnType<typeof manifest>) => {
        Object.assign(m.endpoints.src, { settings: { PostgreSQLSettings: { Password: 'x' } } });
      },
      '$.endpoints.src.settings.PostgreSQLSettings.Password',
      'must not hold a password or secret: the folder never does',
    ],
    [
      'a password in connection attributes',
      (m: ReturnType<typeof manifest>) => {
        Object.assign(m.endpoints.src, { extraConnectionAttributes: 'password=x' });
      },
      '$.endpoints.src.extraConnectionAttributes',
      expect.stringContaining('must not hold a password'),
    ],
    [
      'an unknown engine',
      (m: ReturnType<typeof manifest>) => {
        m.endpoints.src.engine = 'postgresql';
      },
      '$.endpoints.src.engine',
      expect.stringContaining('"postgresql" is not one of mysql, oracle, postgres'),
    ],
    [
      'a wrong instance class',
      (m: ReturnType<typeof manifest>) => {
        m.replicationInstances.main.class = 't3.medium';
      },
      '$.replicationInstances.main.class',
      expect.stringContaining('is not a replication instance class'),
    ],
    [
      'a version this program does not read',
      (m: ReturnType<typeof manifest>) => {
        m.version = 2;
      },
      '$.version',
      'expected 1 (this version of dms-scheduler reads 1)',
    ],
  ])('%s', (_case, breakIt, path, message) => {
    const broken = manifest();
    breakIt(broken);
    expect(validateManifest(broken).problems).toContainEqual({ file: 'manifest.json', path, message });
  });

  it('a flag named like a secret (EncryptPassword: true) is a setting, not a password', () => {
    const m = manifest();
    Object.assign(m.endpoints.src, { settings: { PostgreSQLSettings: { EncryptPassword: true } } });
    expect(validateManifest(m).problems).toEqual([]);
  });
});
