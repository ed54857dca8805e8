// Bundled on its own (template.yaml: an EntryPoint of the post-processor, External in its handler) and
// imported when a `lambda` hook first runs: the Lambda client is parsed then, not at cold start.
export { createLambdaClient } from '#shared/aws/clients';
export { lambdaHook } from '#shared/hooks/kinds/lambda';
