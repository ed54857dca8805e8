// Why this file exists: the little the generated template's parts share: its JSON value type and how a
// resource identifier takes the environment's NamePrefix parameter.
export type Json = unknown;

/** `${NamePrefix}<id>`: the identifier with the environment's prefix, resolved by CloudFormation. */
export const prefixed = (id: string): Json => ({ 'Fn::Sub': `\${NamePrefix}${id}` });
