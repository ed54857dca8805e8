// Why this file exists: no password or secret value may reach a file, a log or a plan. DMS hides the
// top-level Password, but engine settings carry their own (`MongoDbSettings.Password`, `KafkaSettings.
// SaslPassword`, `RedisSettings.AuthPassword`, Oracle's `SecurityDbEncryption` TDE password...) and extra
// connection attributes can hold `password=...`. This removes every such value, wherever a setting is
// read, and says which keys it removed (never their values) so the export can warn.

/** Setting names that hold a secret value. References (`SecretsManagerSecretId`, `...ArnList`) are kept. */
const SECRET_KEY = /password|^securitydbencryption$|secretkey|^authtoken$|^saslpassword$/i;

export const isSecretKey = (key: string) => SECRET_KEY.test(key);

export interface Scrubbed<T> {
  readonly value: T;
  /** The keys removed, e.g. `MongoDbSettings.Password`: names only. */
  readonly removed: readonly string[];
}

/** The settings block without its secret keys (recursively: some settings nest objects). */
export function scrubSettings(
  block: Readonly<Record<string, unknown>>,
  name: string,
): Scrubbed<Record<string, unknown>> {
  const removed: string[] = [];
  const walk = (value: unknown, path: string): unknown => {
    if (Array.isArray(value)) return value.map((item, index) => walk(item, `${path}[${index}]`));
    if (typeof value !== 'object' || value === null) return value;
    const kept: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) {
      // A flag named like one (`EncryptPassword: true`) is a setting, not a secret: only values go.
      if (isSecretKey(key) && typeof inner !== 'boolean') removed.push(`${path}.${key}`);
      else kept[key] = walk(inner, `${path}.${key}`);
    }
    return kept;
  };
  return { value: walk(block, name) as Record<string, unknown>, removed };
}

/** `a=1;password=x;b=2` without its secret attributes. */
export function scrubExtraConnectionAttributes(attributes: string): Scrubbed<string> {
  const removed: string[] = [];
  const kept = attributes
    .split(';')
    .filter((pair) => {
      const key = pair.split('=', 1)[0]?.trim() ?? '';
      if (key !== '' && isSecretKey(key)) {
        removed.push(`ExtraConnectionAttributes.${key}`);
        return false;
      }
      return true;
    })
    .join(';');
  return { value: kept, removed };
}
