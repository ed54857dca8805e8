// Reads a CloudFormation YAML template the way CloudFormation does: the short-form intrinsic tags (!Ref,
// !Sub, !If …) become their long JSON forms ({ Ref: x }, { 'Fn::Sub': … }), so tests inspect one shape only.
import { readFileSync } from 'node:fs';
import { parseDocument, type Tags, type YAMLMap, type YAMLSeq } from 'yaml';

type Kind = 'scalar' | 'seq' | 'map';

/** Short form → long form, and the node kinds CloudFormation accepts for it. */
const FUNCTIONS: ReadonlyArray<readonly [tag: string, name: string, kinds: readonly Kind[]]> = [
  ['!Base64', 'Fn::Base64', ['scalar', 'map']],
  ['!Cidr', 'Fn::Cidr', ['seq']],
  ['!FindInMap', 'Fn::FindInMap', ['seq']],
  ['!GetAZs', 'Fn::GetAZs', ['scalar', 'map']],
  ['!ImportValue', 'Fn::ImportValue', ['scalar', 'map']],
  ['!Join', 'Fn::Join', ['seq']],
  ['!Length', 'Fn::Length', ['seq', 'map']],
  ['!Select', 'Fn::Select', ['seq']],
  ['!Split', 'Fn::Split', ['seq']],
  ['!Sub', 'Fn::Sub', ['scalar', 'seq']],
  ['!ToJsonString', 'Fn::ToJsonString', ['seq', 'map']],
  ['!Transform', 'Fn::Transform', ['map']],
  ['!And', 'Fn::And', ['seq']],
  ['!Equals', 'Fn::Equals', ['seq']],
  ['!If', 'Fn::If', ['seq']],
  ['!Not', 'Fn::Not', ['seq']],
  ['!Or', 'Fn::Or', ['seq']],
  // Rule-specific functions (the Rules section).
  ['!Contains', 'Fn::Contains', ['seq']],
  ['!EachMemberEquals', 'Fn::EachMemberEquals', ['seq']],
  ['!EachMemberIn', 'Fn::EachMemberIn', ['seq']],
  ['!RefAll', 'Fn::RefAll', ['scalar']],
  ['!ValueOf', 'Fn::ValueOf', ['seq']],
  ['!ValueOfAll', 'Fn::ValueOfAll', ['seq']],
];

const asJson = (node: YAMLMap.Parsed | YAMLSeq.Parsed): unknown => node.toJSON();

function functionTags(tag: string, name: string, kinds: readonly Kind[]): Tags {
  return kinds.map((kind) =>
    kind === 'scalar'
      ? { tag, resolve: (value: string) => ({ [name]: value }) }
      : {
          tag,
          collection: kind,
          resolve: (node: YAMLMap.Parsed | YAMLSeq.Parsed) => ({ [name]: asJson(node) }),
        },
  );
}

/** Every CloudFormation short form, for `parse(source, { customTags: CFN_TAGS })`. */
export const CFN_TAGS: Tags = [
  { tag: '!Ref', resolve: (value: string) => ({ Ref: value }) },
  { tag: '!Condition', resolve: (value: string) => ({ Condition: value }) },
  // "!GetAtt Resource.Attribute" is short for ["Resource", "Attribute"]; the attribute may itself hold dots.
  {
    tag: '!GetAtt',
    resolve: (value: string) => {
      const dot = value.indexOf('.');
      return { 'Fn::GetAtt': dot < 0 ? [value] : [value.slice(0, dot), value.slice(dot + 1)] };
    },
  },
  { tag: '!GetAtt', collection: 'seq', resolve: (node) => ({ 'Fn::GetAtt': asJson(node) }) },
  ...FUNCTIONS.flatMap(([tag, name, kinds]) => functionTags(tag, name, kinds)),
];

/**
 * Parses CloudFormation YAML text into plain JSON values with long-form intrinsics. Throws on any error or
 * warning, an unknown tag included, so a typo in a short form cannot slip through as a plain string.
 */
export function parseCfnYaml(source: string): unknown {
  const document = parseDocument(source, { customTags: CFN_TAGS, prettyErrors: true });
  const problems = [...document.errors, ...document.warnings];
  if (problems.length > 0) {
    throw new Error(`Invalid CloudFormation YAML: ${problems.map((problem) => problem.message).join('; ')}`);
  }
  return document.toJS();
}

export function readCfnYaml(path: string): unknown {
  return parseCfnYaml(readFileSync(path, 'utf8'));
}
