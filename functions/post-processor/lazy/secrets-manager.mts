// Bundled on its own (template.yaml: an EntryPoint of the post-processor, External in its handler) and
// imported when a hook first reads a secret: the Secrets Manager client is parsed then, not at cold start.
export { createSecretsManagerClient } from '#shared/aws/clients';
export { SecretsManagerSecrets } from '#shared/secrets/secrets-manager';
