#!/usr/bin/env node
// Validates Kubernetes manifests (multi-document YAML, e.g. `kubectl kustomize` output)
// against the Kubernetes API schemas shipped by the kubernetes-models package.
//
//   node validate.js FILE...        (a FILE of "-" reads standard input)
//
// For every object:
//   1. the YAML must parse cleanly as YAML 1.1, as the API server reads it (no duplicate keys,
//      no syntax errors);
//   2. apiVersion + kind must be a Kubernetes API type that kubernetes-models knows (a custom
//      resource or a typo in either is an error, not a skip);
//   3. the object must pass kubernetes-models' JSON-schema validation (types, enums, required
//      fields, formats): new (require('kubernetes-models/<apiVersion>')[kind])(obj).validate();
//   4. strict mode: no field the API type does not declare (kubernetes-models' schemas allow
//      unknown fields, as the API server's non-strict decoding does, so a typo such as
//      `readinesProbe` would pass step 3 and be dropped silently by the cluster). The declared
//      fields come from the package's TypeScript declarations (*.d.ts), one per API type.
// Prints one line per problem (source, Kind/name, field, message) and exits 1 if there is any.
'use strict';

const fs = require('fs');
const path = require('path');
const YAML = require('yaml');

const MODELS_ROOT = path.dirname(require.resolve('kubernetes-models'));

// ---------------------------------------------------------------------------------------
// Declared fields, read from the *.d.ts of each API type
// ---------------------------------------------------------------------------------------

/** Resolves an import specifier of a .d.ts file to the .d.ts file it names. */
function resolveDts(spec, fromFile) {
  if (spec.startsWith('.')) return path.resolve(path.dirname(fromFile), spec) + '.d.ts';
  // a package path such as @kubernetes-models/apimachinery/apis/meta/v1/ObjectMeta
  for (let dir = path.dirname(fromFile); ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules', spec) + '.d.ts';
    if (fs.existsSync(candidate)) return candidate;
    if (path.dirname(dir) === dir) return null;
  }
}

/** Reads a type expression starting at text[i] up to the `;` that ends it (brackets balanced). */
function readType(text, i) {
  let depth = 0;
  let j = i;
  for (; j < text.length; j++) {
    const c = text[j];
    if (c === '{' || c === '<' || c === '(' || c === '[') depth++;
    else if (c === '}' || c === '>' || c === ')' || c === ']') depth--;
    else if (c === ';' && depth === 0) break;
  }
  return { type: text.slice(i, j).trim(), end: j + 1 };
}

const shapes = new Map(); // .d.ts path -> { props: Map(field -> type), imports: Map(name -> path) } | null

/** The first `export interface` of a .d.ts file: its fields and the types it imports. */
function shapeOf(file) {
  if (shapes.has(file)) return shapes.get(file);
  let shape = null;
  if (file && fs.existsSync(file)) {
    const source = fs.readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '');
    const imports = new Map();
    for (const m of source.matchAll(/^import \{([^}]*)\} from "([^"]+)";/gm)) {
      for (const name of m[1].split(',').map((s) => s.trim()).filter(Boolean)) {
        imports.set(name.split(/\s+as\s+/).pop(), resolveDts(m[2], file));
      }
    }
    const head = /^export interface \w+(?: extends [^{]+)? \{\n/m.exec(source);
    if (head) {
      const body = source.slice(head.index + head[0].length, source.indexOf('\n}', head.index));
      const props = new Map();
      const field = /^ {4}"([^"]+)"\??:\s*/gm;
      let m;
      while ((m = field.exec(body)) !== null) {
        const { type, end } = readType(body, m.index + m[0].length);
        props.set(m[1], type);
        field.lastIndex = end;
      }
      shape = { props, imports, file };
    }
  }
  shapes.set(file, shape);
  return shape;
}

function fieldPath(parts) {
  return parts.reduce((acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : acc ? `${acc}.${p}` : p), '');
}

/** Reports the fields of `value` (typed `type`, as written in `shape`'s file) not declared by their type. */
function checkType(value, type, shape, at, report) {
  if (value === null || value === undefined) return;
  let m;
  if ((m = /^Array<(.+)>$/s.exec(type))) {
    if (Array.isArray(value)) value.forEach((item, i) => checkType(item, m[1], shape, [...at, i], report));
    return;
  }
  if ((m = /^\{\s*\[key: string\]:\s*(.+?);?\s*\}$/s.exec(type))) {
    if (typeof value === 'object' && !Array.isArray(value)) {
      for (const [k, v] of Object.entries(value)) checkType(v, m[1], shape, [...at, k], report);
    }
    return;
  }
  if (/^I\w+$/.test(type) && shape.imports.has(type)) {
    checkObject(value, shapeOf(shape.imports.get(type)), at, report);
  }
  // anything else (string, number, unions, quantities, int-or-string, free JSON): no fields
}

function checkObject(value, shape, at, report) {
  if (!shape || shape.props.size === 0 || typeof value !== 'object' || Array.isArray(value)) return;
  for (const [k, v] of Object.entries(value)) {
    if (!shape.props.has(k)) {
      report(at.concat(k), `unknown field "${k}" (not in ${path.basename(shape.file, '.d.ts')})`);
    } else {
      checkType(v, shape.props.get(k), shape, [...at, k], report);
    }
  }
}

// ---------------------------------------------------------------------------------------
// Objects
// ---------------------------------------------------------------------------------------

function modelFor(apiVersion, kind) {
  if (typeof apiVersion !== 'string' || typeof kind !== 'string' || !/^[A-Za-z0-9.\-/]+$/.test(apiVersion)) {
    return null;
  }
  let mod;
  try {
    mod = require(`kubernetes-models/${apiVersion}`);
  } catch {
    return null;
  }
  const Model = mod[kind];
  if (typeof Model !== 'function' || Model.kind !== kind) return null;
  return { Model, dts: path.join(MODELS_ROOT, apiVersion, `${kind}.d.ts`) };
}

/**
 * Base64 in Secret `data` / ConfigMap `binaryData` may be folded over several lines (kustomize
 * does this for long values). The API server decodes it with Go's encoding/base64, which skips
 * \r and \n, so they are removed here before the schema's "byte" format check.
 */
function unfoldBase64(obj) {
  const field = obj.kind === 'Secret' ? 'data' : obj.kind === 'ConfigMap' ? 'binaryData' : null;
  if (!field || !obj[field] || typeof obj[field] !== 'object') return obj;
  const unfolded = {};
  for (const [k, v] of Object.entries(obj[field])) unfolded[k] = typeof v === 'string' ? v.replace(/[\r\n]/g, '') : v;
  return { ...obj, [field]: unfolded };
}

function validateObject(obj, report) {
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) {
    report([], 'not a Kubernetes object (a YAML mapping with apiVersion and kind)');
    return;
  }
  obj = unfoldBase64(obj);
  const model = modelFor(obj.apiVersion, obj.kind);
  if (!model) {
    report(['apiVersion'], `no Kubernetes API schema for apiVersion "${obj.apiVersion}" kind "${obj.kind}"`);
    return;
  }
  if (!obj.metadata || typeof obj.metadata.name !== 'string' || obj.metadata.name === '') {
    report(['metadata', 'name'], 'required');
  }
  try {
    new model.Model(obj).validate();
  } catch (e) {
    const errors = Array.isArray(e.errors) && e.errors.length ? e.errors : [{ instancePath: '', message: e.message }];
    for (const err of errors) {
      const parts = (err.instancePath || '').split('/').filter(Boolean)
        .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
        .map((p) => (/^\d+$/.test(p) ? Number(p) : p));
      const extra = err.params && err.params.allowedValues ? ` (allowed: ${err.params.allowedValues.join(', ')})` : '';
      report(parts, `${err.message}${extra}`);
    }
  }
  checkObject(obj, shapeOf(model.dts), [], report);
}

function main(args) {
  if (args.length === 0 || args.includes('-h') || args.includes('--help')) {
    console.error('usage: node validate.js FILE... (multi-document YAML; "-" for standard input)');
    return 2;
  }
  let problems = 0;
  let objects = 0;
  for (const file of args) {
    const label = file === '-' ? '<stdin>' : file;
    const text = fs.readFileSync(file === '-' ? 0 : file, 'utf8');
    // YAML 1.1, as the API server's decoder reads it (`on`, `yes`, `0755` mean what they mean
    // there); duplicate keys are an error.
    const docs = YAML.parseAllDocuments(text, { version: '1.1', uniqueKeys: true, prettyErrors: true });
    const list = Array.isArray(docs) ? docs : [docs];
    list.forEach((doc, index) => {
      for (const err of [...doc.errors, ...doc.warnings]) {
        console.error(`ERROR ${label} document ${index + 1}: YAML: ${err.message.split('\n')[0]}`);
        problems++;
      }
      if (doc.errors.length) return;
      const obj = doc.toJS();
      if (obj === null || obj === undefined) return; // an empty document (a trailing ---)
      objects++;
      const name = obj && obj.metadata && obj.metadata.name ? obj.metadata.name : '?';
      const id = `${obj && obj.kind ? obj.kind : '?'}/${name}`;
      validateObject(obj, (parts, message) => {
        console.error(`ERROR ${label} ${id} (${obj.apiVersion}): ${fieldPath(parts) || '(object)'}: ${message}`);
        problems++;
      });
      if (process.env.VALIDATE_VERBOSE) console.log(`ok    ${label} ${id} (${obj.apiVersion})`);
    });
  }
  if (problems > 0) {
    console.error(`${problems} problem(s) in ${objects} object(s)`);
    return 1;
  }
  console.log(`${objects} object(s) valid: ${args.map((f) => (f === '-' ? '<stdin>' : f)).join(', ')}`);
  return 0;
}

process.exitCode = main(process.argv.slice(2));
