// Why this file exists: one AWS::DMS::Endpoint of a generated template. Credentials always come from Secrets
// Manager (a secret ARN and access-role parameter per endpoint that takes them), so a template never holds a
// password; settings blocks take their CloudFormation names and only the keys CloudFormation knows.
import { CFN_ENDPOINT_SETTINGS } from './cfn-endpoint-settings.ts';
import { type SettingsBlock, secretBlockOf } from './engines.ts';
import type { EndpointDefinition } from './model.ts';
import { type Json, prefixed } from './template-parts.ts';

const SECRET_ARN_PATTERN = '^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\\d{12}:secret:.+$';
const ROLE_ARN_PATTERN = '^arn:aws[a-z-]*:iam::\\d{12}:role/.+$';

export function endpointResource(
  id: string,
  name: string,
  endpoint: EndpointDefinition,
  parameters: Record<string, Json>,
  warnings: string[],
): Json {
  const secretBlock = secretBlockOf(endpoint.engine);
  const properties: Record<string, Json> = {
    EndpointIdentifier: prefixed(id),
    EndpointType: endpoint.type,
    EngineName: endpoint.engine,
  };
  if (endpoint.database !== undefined) {
    parameters[`${name}DatabaseName`] = {
      Type: 'String',
      Default: endpoint.database,
      Description: `Database of endpoint ${id}.`,
    };
    properties.DatabaseName = { Ref: `${name}DatabaseName` };
  }
  if (endpoint.sslMode !== undefined) properties.SslMode = endpoint.sslMode;
  if (endpoint.extraConnectionAttributes !== undefined) {
    properties.ExtraConnectionAttributes = endpoint.extraConnectionAttributes;
  }
  const blocks: Partial<Record<SettingsBlock, Record<string, Json>>> = {};
  for (const [block, values] of Object.entries(endpoint.settings ?? {})) {
    const cfn = CFN_ENDPOINT_SETTINGS[block as SettingsBlock];
    if (cfn === undefined) {
      warnings.push(`endpoint ${id}: AWS::DMS::Endpoint has no ${block}; left out of the template`);
      continue;
    }
    const kept: Record<string, Json> = {};
    for (const [key, value] of Object.entries(values)) {
      if (cfn.properties.includes(key)) kept[key] = value;
      else
        warnings.push(
          `endpoint ${id}: AWS::DMS::Endpoint's ${cfn.cfn} has no ${key}; left out of the template`,
        );
    }
    blocks[block as SettingsBlock] = kept;
  }
  if (secretBlock !== undefined) {
    // Every endpoint that takes credentials reads them from Secrets Manager: a template holds no password,
    // and an endpoint exported with an inline password needs a secret in each environment.
    parameters[`${name}SecretArn`] = {
      Type: 'String',
      AllowedPattern: SECRET_ARN_PATTERN,
      ConstraintDescription: 'must be a Secrets Manager secret ARN',
      Description: `Secret holding the credentials (and server, port) of endpoint ${id}.`,
    };
    parameters[`${name}SecretAccessRoleArn`] = {
      Type: 'String',
      AllowedPattern: ROLE_ARN_PATTERN,
      ConstraintDescription: 'must be an IAM role ARN',
      Description: `Role DMS assumes to read the secret of endpoint ${id}.`,
    };
    blocks[secretBlock] = {
      ...blocks[secretBlock],
      SecretsManagerSecretId: { Ref: `${name}SecretArn` },
      SecretsManagerAccessRoleArn: { Ref: `${name}SecretAccessRoleArn` },
    };
  } else {
    if (endpoint.server !== undefined) {
      parameters[`${name}ServerName`] = {
        Type: 'String',
        Default: endpoint.server,
        Description: `Server of endpoint ${id}.`,
      };
      properties.ServerName = { Ref: `${name}ServerName` };
    }
    if (endpoint.port !== undefined) properties.Port = endpoint.port;
  }
  for (const [block, values] of Object.entries(blocks)) {
    const cfn = CFN_ENDPOINT_SETTINGS[block as SettingsBlock];
    if (cfn !== undefined && Object.keys(values).length > 0) properties[cfn.cfn] = values;
  }
  return { Type: 'AWS::DMS::Endpoint', Properties: properties };
}
