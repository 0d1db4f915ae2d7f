// Differential test: does iacm-lsp reject the same documents as Backstage?
//
// For every document of every file in ../shared/corpus/real (and seeded
// mutations of the documents Backstage accepts), this runs what the catalog
// backend runs on an entity read from a file -- parseEntityYaml (yaml@2),
// the envelope validator, the default entity policies (SchemaValid,
// DefaultNamespace, NoForeignRootFields, FieldFormat), the entity schema and
// the kind validators of the built-in kinds plus the scaffolder's Template
// v1beta3 -- and compares the verdict with iacm-lsp's error-level
// entity-* / yaml-syntax / duplicate-key diagnostics on the same text. When
// both reject, the field Backstage names must be one iacm-lsp reports on.
//
// Usage: node diff.mjs <iacm-lsp binary> <corpus dir> [--write-report FILE]
// Exit 1 on a disagreement not listed in DISAGREEMENTS.md, or on a listed one
// that no longer occurs.

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import YAML from 'yaml';
import {
  EntityPolicies,
  DefaultNamespaceEntityPolicy,
  FieldFormatEntityPolicy,
  NoForeignRootFieldsEntityPolicy,
  SchemaValidEntityPolicy,
  makeValidator,
  entityEnvelopeSchemaValidator,
  entitySchemaValidator,
  apiEntityV1alpha1Validator,
  componentEntityV1alpha1Validator,
  resourceEntityV1alpha1Validator,
  groupEntityV1alpha1Validator,
  locationEntityV1alpha1Validator,
  userEntityV1alpha1Validator,
  systemEntityV1alpha1Validator,
  domainEntityV1alpha1Validator,
} from '@backstage/catalog-model';
import { templateEntityV1beta3Validator } from '@backstage/plugin-scaffolder-common';

const here = path.dirname(fileURLToPath(import.meta.url));
const [binary, corpusDir] = process.argv.slice(2);
if (!binary || !corpusDir) {
  console.error('usage: node diff.mjs <iacm-lsp binary> <corpus dir>');
  process.exit(2);
}

// ---- Backstage ------------------------------------------------------------

// plugin-catalog-backend 4.0.5: CatalogBuilder.buildEntityPolicy, the
// validators of BuiltinKindsEntityProcessor, and the scaffolder backend's
// Template processor.
const policy = EntityPolicies.allOf([
  new SchemaValidEntityPolicy(),
  new DefaultNamespaceEntityPolicy(),
  new NoForeignRootFieldsEntityPolicy(),
  new FieldFormatEntityPolicy(makeValidator()),
]);
const kindValidators = [
  apiEntityV1alpha1Validator,
  componentEntityV1alpha1Validator,
  resourceEntityV1alpha1Validator,
  groupEntityV1alpha1Validator,
  locationEntityV1alpha1Validator,
  userEntityV1alpha1Validator,
  systemEntityV1alpha1Validator,
  domainEntityV1alpha1Validator,
  templateEntityV1beta3Validator,
];
const validateEnvelope = entityEnvelopeSchemaValidator();
const validateEntity = entitySchemaValidator();

// PlaceholderProcessor runs before the policies. Reading the referenced
// files is out of reach here: $text resolves to text, $json/$yaml to data.
function resolvePlaceholders(data) {
  if (Array.isArray(data)) return data.map(resolvePlaceholders);
  if (!data || typeof data !== 'object') return data;
  const keys = Object.keys(data);
  if (keys.length === 1 && ['$text', '$json', '$yaml'].includes(keys[0])) {
    return keys[0] === '$text' ? 'resolved placeholder text' : {};
  }
  if (keys.some(k => k.startsWith('$'))) return data;
  return Object.fromEntries(keys.map(k => [k, resolvePlaceholders(data[k])]));
}

/** { rejected, message, path } for one parsed document, or null to skip. */
async function backstage(doc) {
  if (doc.errors?.length) {
    return { rejected: true, message: `YAML error: ${doc.errors[0].message}`, path: null };
  }
  const json = doc.toJSON();
  if (json === null) return null; // an empty document: the catalog skips it
  if (!json || typeof json !== 'object' || Array.isArray(json)) {
    return { rejected: true, message: `Expected object at root, got ${typeof json}`, path: null };
  }
  try {
    let entity = validateEnvelope(structuredClone(json));
    entity = resolvePlaceholders(entity);
    entity = await policy.enforce(entity);
    validateEntity(entity);
    let found = false;
    for (const v of kindValidators) {
      if (await v.check(entity)) {
        found = true;
        break;
      }
    }
    if (!found) {
      return {
        rejected: true,
        message: 'No processor recognized the entity as valid (foreign kind or apiVersion)',
        path: ['kind|apiVersion'],
        unknownKind: true,
      };
    }
    return { rejected: false };
  } catch (e) {
    const message = String(e?.message ?? e);
    return { rejected: true, message, path: errorPath(message) };
  }
}

/** The field a Backstage error message names, as a path of keys. */
function errorPath(message) {
  let m = message.match(/^Unknown field (.+)$/);
  if (m) return [m[1]];
  m = message.match(/^"(.+?)" is not valid/) ?? message.match(/^(\S+) (must have a value|could not be validated)/);
  if (m) {
    const parts = m[1].split('.');
    const rooted = ['labels', 'annotations', 'tags', 'links'].includes(parts[0]) ? ['metadata', ...parts] : parts;
    // A label/annotation key may itself contain dots: keep the rest whole.
    if (['labels', 'annotations'].includes(parts[0])) return ['metadata', parts[0], parts.slice(1).join('.')];
    return rooted;
  }
  m = message.match(/^(?:Malformed envelope, )?(<root>|\/\S*) /);
  if (m) {
    if (m[1] === '<root>') {
      const missing = message.match(/missingProperty: (\S+)/);
      return missing ? ['<missing>', missing[1]] : [];
    }
    return m[1].split('/').slice(1).map(p => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  }
  return null;
}

/** 1-based line range [from, to] of the field at `keys` in `doc`. */
function fieldLines(doc, keys, lineOf) {
  if (!keys || keys.length === 0 || keys[0] === '<missing>') return null; // anywhere
  if (keys[0] === 'kind|apiVersion') {
    const lines = ['kind', 'apiVersion'].map(k => pairLines(doc, [k], lineOf)).filter(Boolean);
    return lines.length ? [Math.min(...lines.map(l => l[0])), Math.max(...lines.map(l => l[1]))] : null;
  }
  // The deepest existing pair on the path (a missing field is reported on
  // the key of the mapping that lacks it).
  for (let n = keys.length; n > 0; n--) {
    const lines = pairLines(doc, keys.slice(0, n), lineOf);
    if (lines) return lines;
  }
  return null;
}

function pairLines(doc, keys, lineOf) {
  let node = doc.contents;
  let range = null;
  for (const key of keys) {
    if (YAML.isMap(node)) {
      const pair = node.items.find(p => String(p.key?.value ?? p.key) === String(key));
      if (!pair) return null;
      range = [pair.key?.range?.[0] ?? pair.value?.range?.[0], (pair.value ?? pair.key)?.range?.[1]];
      node = pair.value;
    } else if (YAML.isSeq(node)) {
      const item = node.items[Number(key)];
      if (!item) return null;
      range = [item.range[0], item.range[1]];
      node = item;
    } else {
      return null;
    }
  }
  if (!range || range[0] == null) return null;
  return [lineOf(range[0]), lineOf(Math.max(range[0], range[1] - 1))];
}

// ---- Cases: corpus documents and seeded mutations ------------------------

function lineCounter(text) {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') starts.push(i + 1);
  return offset => {
    let lo = 0, hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= offset) lo = mid; else hi = mid - 1;
    }
    return lo + 1;
  };
}

/** The text of each document of a file, cut at its `---` lines. */
function splitDocuments(text) {
  const docs = YAML.parseAllDocuments(text);
  const lineStart = i => text.lastIndexOf('\n', i - 1) + 1;
  return docs.map((d, i) => {
    const start = i === 0 ? 0 : lineStart(d.range[0]);
    const end = i + 1 < docs.length ? lineStart(docs[i + 1].range[0]) : text.length;
    return text.slice(start, end);
  });
}

// mulberry32: a small seeded PRNG, so the mutations are the same every run.
function rng(seed) {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const meta = e => (e.metadata ??= {});
const spec = e => (e.spec && typeof e.spec === 'object' ? e.spec : (e.spec = {}));
const REQUIRED = {
  Component: ['type', 'lifecycle', 'owner'],
  API: ['type', 'lifecycle', 'owner', 'definition'],
  Resource: ['type', 'owner'],
  System: ['owner'],
  Domain: ['owner'],
  Group: ['type', 'children'],
  User: ['memberOf'],
  Template: ['type', 'steps'],
};
// Each mutation edits a copy of an accepted entity. Some keep it valid.
const MUTATIONS = {
  'name-space': e => { meta(e).name = 'my service'; },
  'name-64': e => { meta(e).name = 'a'.repeat(64); },
  'name-63-dots': e => { meta(e).name = 'a.b_c-' + 'd'.repeat(57); },
  'name-leading-dash': e => { meta(e).name = '-svc'; },
  'name-number': e => { meta(e).name = 12345; },
  'name-empty': e => { meta(e).name = ''; },
  'name-missing': e => { delete meta(e).name; },
  'name-unicode': e => { meta(e).name = 'café'; },
  'namespace-upper': e => { meta(e).namespace = 'Team-A'; },
  'namespace-underscore': e => { meta(e).namespace = 'team_a'; },
  'namespace-ok': e => { meta(e).namespace = 'team--a'; },
  'kind-missing': e => { delete e.kind; },
  'kind-lower': e => { e.kind = String(e.kind).toLowerCase(); },
  'kind-dash': e => { e.kind = 'My-Kind'; },
  'kind-foreign': e => { e.kind = 'Widget'; },
  'api-missing': e => { delete e.apiVersion; },
  'api-v2': e => { e.apiVersion = 'backstage.io/v2'; },
  'api-bad-chars': e => { e.apiVersion = 'backstage.io/v1_alpha1'; },
  'api-two-slashes': e => { e.apiVersion = 'backstage.io/x/v1alpha1'; },
  'metadata-missing': e => { delete e.metadata; },
  'metadata-string': e => { e.metadata = 'svc'; },
  'spec-missing': e => { delete e.spec; },
  'spec-list': e => { e.spec = ['a']; },
  'spec-null': e => { e.spec = null; },
  'spec-required-missing': (e, r) => { const req = REQUIRED[e.kind]; if (req) delete spec(e)[req[Math.floor(r() * req.length)]]; },
  'spec-owner-number': e => { spec(e).owner = 42; },
  'spec-owner-list': e => { spec(e).owner = ['team-a']; },
  'spec-type-empty': e => { spec(e).type = ''; },
  'spec-dependson-string': e => { spec(e).dependsOn = 'component:x'; },
  'spec-dependson-ok': e => { spec(e).dependsOn = ['resource:db']; },
  'spec-extra-field': e => { spec(e).somethingElse = { any: 'thing' }; },
  'tag-upper': e => { meta(e).tags = ['Java']; },
  'tag-space': e => { meta(e).tags = ['spring boot']; },
  'tag-number': e => { meta(e).tags = [3]; },
  'tag-colon-ok': e => { meta(e).tags = ['lang:go', 'c++', 'c#']; },
  'tag-double-dash': e => { meta(e).tags = ['a--b']; },
  'tags-string': e => { meta(e).tags = 'java'; },
  'tag-64': e => { meta(e).tags = ['t'.repeat(64)]; },
  'label-key-two-slashes': e => { meta(e).labels = { 'a/b/c': 'x' }; },
  'label-key-upper-prefix': e => { meta(e).labels = { 'Example.com/x': 'y' }; },
  'label-value-space': e => { meta(e).labels = { tier: 'tier one' }; },
  'label-value-number': e => { meta(e).labels = { tier: 1 }; },
  'label-value-empty-ok': e => { meta(e).labels = { tier: '' }; },
  'labels-list': e => { meta(e).labels = ['tier']; },
  'annotation-key-space': e => { (meta(e).annotations ??= {})['bad key'] = 'x'; },
  'annotation-key-empty-prefix': e => { (meta(e).annotations ??= {})['/x'] = 'x'; },
  'annotation-value-number': e => { (meta(e).annotations ??= {})['example.com/n'] = 7; },
  'annotation-value-null': e => { (meta(e).annotations ??= {})['example.com/n'] = null; },
  'annotation-value-bool': e => { (meta(e).annotations ??= {})['example.com/b'] = true; },
  'annotation-value-ok': e => { (meta(e).annotations ??= {})['example.com/n'] = 'any text: at all'; },
  'links-string': e => { meta(e).links = 'https://example.com'; },
  'link-no-url': e => { meta(e).links = [{ title: 'Docs' }]; },
  'link-relative-url': e => { meta(e).links = [{ url: 'docs/index.html' }]; },
  'link-empty-title': e => { meta(e).links = [{ url: 'https://example.com', title: ' ' }]; },
  'link-empty-type': e => { meta(e).links = [{ url: 'https://example.com', type: '' }]; },
  'link-ok': e => { meta(e).links = [{ url: 'https://example.com', title: 'Docs', icon: 'docs', type: 'doc' }]; },
  'link-not-mapping': e => { meta(e).links = ['https://example.com']; },
  'root-unknown': e => { e.foo = 'bar'; },
  'root-status': e => { e.status = { items: [] }; },
  'root-dependson': e => { e.dependsOn = ['resource:db']; },
  'title-empty': e => { meta(e).title = ''; },
  'title-number': e => { meta(e).title = 3.14; },
  'description-null': e => { meta(e).description = null; },
  'description-number': e => { meta(e).description = 2024; },
  'metadata-extra-ok': e => { meta(e).custom = { anything: [1, 2] }; },
};

// ---- Run -----------------------------------------------------------------

const REJECTING = /^(entity-|yaml-syntax$|duplicate-key$|workspace-url-not-string$)/;

async function main() {
  const files = fs.readdirSync(corpusDir).filter(f => /\.ya?ml$/.test(f)).sort();
  const cases = [];
  for (const file of files) {
    const text = fs.readFileSync(path.join(corpusDir, file), 'utf8');
    splitDocuments(text).forEach((docText, i) => cases.push({ id: `${file}#${i}`, text: docText }));
  }
  // Judge the corpus first, then mutate what Backstage accepts.
  for (const c of cases) await judge(c);
  const accepted = cases.filter(c => c.verdict && !c.verdict.rejected);
  const random = rng(20261128);
  const names = Object.keys(MUTATIONS);
  const mutants = [];
  for (let round = 0; round < 4; round++) {
    for (const base of accepted) {
      const name = names[Math.floor(random() * names.length)];
      const entity = YAML.parse(base.text);
      MUTATIONS[name](entity, random);
      const id = `mut:${base.id}:${name}:${round}`;
      if (mutants.some(m => m.id === id)) continue;
      mutants.push({ id, text: YAML.stringify(entity) });
    }
  }
  for (const m of mutants) await judge(m);
  const all = [...cases, ...mutants].filter(c => c.verdict);

  ours(all);

  const listed = readListed();
  const disagreements = [];
  let sameVerdict = 0, bothRejected = 0, sameField = 0, fieldChecked = 0;
  for (const c of all) {
    const b = c.verdict;
    const weReject = c.ours.length > 0;
    let problem = null;
    if (b.rejected !== weReject) {
      problem = b.rejected
        ? `Backstage rejects (${b.message}); iacm-lsp gives no error`
        : `iacm-lsp rejects (${c.ours.map(d => d.code).join(', ')}); Backstage accepts`;
    } else {
      sameVerdict++;
      if (b.rejected) {
        bothRejected++;
        const lines = c.fieldLines;
        const hit = !lines || c.ours.some(d => d.line >= lines[0] && d.line <= lines[1]);
        if (lines) fieldChecked++;
        if (hit) sameField++;
        else problem = `both reject, but Backstage names lines ${lines[0]}-${lines[1]} (${b.message}) and iacm-lsp reports ${c.ours.map(d => `${d.code}@${d.line}`).join(', ')}`;
      }
    }
    // A kind no built-in processor reads: Backstage rejects it unless a
    // plugin adds the kind; iacm-lsp says so (entity-unknown-kind) without
    // an error. One row of DISAGREEMENTS.md covers the whole class, and each
    // member must carry that note.
    // Likewise a template skeleton's `${{ values.x }}`, which the scaffolder
    // fills in before the file reaches the catalog.
    let id = c.id;
    if (problem && c.ours.length === 0) {
      if (b.unknownKind && c.unknownKindNoted) id = 'class:unknown-kind';
      else if (b.message.includes('${{')) id = 'class:template-expression';
    }
    if (problem) disagreements.push({ id, problem: `${c.id}: ${problem}` });
  }

  console.log(`documents compared: ${all.length} (${cases.filter(c => c.verdict).length} from the corpus, ${mutants.length} mutations)`);
  console.log(`Backstage rejects: ${all.filter(c => c.verdict.rejected).length}; iacm-lsp rejects: ${all.filter(c => c.ours.length).length}`);
  console.log(`same verdict: ${sameVerdict}/${all.length} = ${(100 * sameVerdict / all.length).toFixed(1)}%`);
  console.log(`same field, where both reject: ${sameField}/${bothRejected} (${fieldChecked} with a field to compare; the rest are YAML errors, non-mappings and missing top-level fields)`);
  const fromCorpus = all.filter(c => !c.id.startsWith('mut:'));
  const corpusSame = fromCorpus.filter(c => c.verdict.rejected === c.ours.length > 0).length;
  console.log(`same verdict on the corpus alone: ${corpusSame}/${fromCorpus.length} = ${(100 * corpusSame / fromCorpus.length).toFixed(1)}% (Backstage rejects ${fromCorpus.filter(c => c.verdict.rejected).length})`);
  const full = all.length - disagreements.length;
  console.log(`full agreement (verdict and field): ${full}/${all.length} = ${(100 * full / all.length).toFixed(1)}%`);

  let failed = false;
  const classes = new Map();
  for (const d of disagreements.filter(d => d.id.startsWith('class:'))) {
    classes.set(d.id, (classes.get(d.id) ?? 0) + 1);
  }
  for (const [id, n] of classes) console.log(`class    ${id}: ${n} documents\n         reason: ${listed.get(id) ?? 'UNLISTED'}`);
  if ([...classes.keys()].some(id => !listed.has(id))) failed = true;
  for (const d of disagreements.filter(d => !d.id.startsWith('class:'))) {
    const reason = listed.get(d.id);
    console.log(`${reason ? 'listed  ' : 'UNLISTED'} ${d.problem}${reason ? `\n         reason: ${reason}` : ''}`);
    if (!reason) failed = true;
  }
  const seen = new Set(disagreements.map(d => d.id));
  for (const id of listed.keys()) {
    if (!seen.has(id)) {
      console.log(`STALE    ${id} is listed in DISAGREEMENTS.md but iacm-lsp and Backstage now agree; remove it`);
      failed = true;
    }
  }
  console.log(failed ? 'backstage-diff: FAILED' : `backstage-diff: ok (${disagreements.length} listed disagreements)`);
  process.exit(failed ? 1 : 0);
}

async function judge(c) {
  const docs = YAML.parseAllDocuments(c.text);
  const doc = docs.find(d => d.contents !== null || d.errors.length) ?? docs[0];
  if (!doc) return; // nothing but comments or blank lines
  c.verdict = await backstage(doc);
  if (c.verdict?.rejected) c.fieldLines = fieldLines(doc, c.verdict.path, lineCounter(c.text));
}

/** Runs iacm-lsp once over every case, each in its own file. */
function ours(all) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'backstage-diff-'));
  try {
    const paths = all.map((c, i) => {
      const p = path.join(dir, `${String(i).padStart(5, '0')}.catalog-info.yaml`);
      fs.writeFileSync(p, c.text);
      c.path = p;
      c.ours = [];
      return p;
    });
    const byPath = new Map(all.map(c => [c.path, c]));
    let stdout;
    try {
      stdout = execFileSync(binary, ['check', '--format', 'json', ...paths], { maxBuffer: 1 << 28, encoding: 'utf8' });
    } catch (e) {
      if (e.status !== 1) throw e; // 1 = errors found
      stdout = e.stdout;
    }
    for (const d of JSON.parse(stdout).diagnostics) {
      const c = byPath.get(d.path);
      if (!c) continue;
      if (d.severity === 'error' && REJECTING.test(d.code)) {
        c.ours.push({ code: d.code, line: d.range.start.line });
      }
      if (d.code === 'entity-unknown-kind') c.unknownKindNoted = true;
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** `id -> reason` from the table in DISAGREEMENTS.md. */
function readListed() {
  const listed = new Map();
  const file = path.join(here, 'DISAGREEMENTS.md');
  if (!fs.existsSync(file)) return listed;
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const m = line.match(/^\|\s*`([^`]+)`\s*\|\s*(.+?)\s*\|\s*$/);
    if (m) listed.set(m[1], m[2]);
  }
  return listed;
}

await main();
