import { readFileSync } from 'node:fs';

/** Counts how complete openapi/openapi.json is (operationIds, examples, descriptions); prints JSON. */
type Obj = Record<string, any>;
export function openApiStats(doc: Obj) {
  const methods = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];
  const hasExample = (x: unknown): boolean => {
    if (!x || typeof x !== 'object') return false;
    const o = x as Obj;
    if ((Array.isArray(o.examples) && o.examples.length > 0) || o.example !== undefined) return true;
    if (o.examples && typeof o.examples === 'object' && !Array.isArray(o.examples) && Object.keys(o.examples).length > 0) return true;
    return Object.values(o).some(hasExample);
  };
  const resolve = (x: Obj | undefined): Obj | undefined => {
    if (!x || typeof x.$ref !== 'string') return x;
    const parts = x.$ref.replace(/^#\//, '').split('/');
    let cur: any = doc;
    for (const p of parts) cur = cur?.[p.replace(/~1/g, '/').replace(/~0/g, '~')];
    return cur;
  };
  const s = {
    operations: 0,
    withOperationId: 0,
    withAnyExample: 0,
    successResponses: 0,
    successWithExample: 0,
    responsesDefaultDescription: 0,
    requestBodies: 0,
    requestBodiesWithExample: 0,
    parameters: 0,
    parametersWithoutDescription: 0,
    errorResponses: 0,
    errorResponsesAsProblemJson: 0,
    tags: (doc.tags ?? []).length,
    tagsWithDescription: (doc.tags ?? []).filter((t: Obj) => t.description).length,
    webhooks: Object.keys(doc.webhooks ?? {}).length,
  };
  for (const ops of Object.values(doc.paths ?? {}) as Obj[]) {
    for (const m of methods) {
      const op = ops[m];
      if (!op) continue;
      s.operations++;
      if (op.operationId) s.withOperationId++;
      // Examples of the request or of a success answer (shared problem examples do not count).
      const success = Object.entries(op.responses ?? {}).filter(([k]) => k.startsWith('2'));
      if (hasExample({ parameters: op.parameters, requestBody: op.requestBody, ok: success.map(([, v]) => resolve(v as Obj)) })) s.withAnyExample++;
      for (const p of op.parameters ?? []) {
        s.parameters++;
        if (!resolve(p)?.description) s.parametersWithoutDescription++;
      }
      if (op.requestBody) {
        s.requestBodies++;
        if (hasExample(op.requestBody)) s.requestBodiesWithExample++;
      }
      for (const [code, r0] of Object.entries(op.responses ?? {})) {
        const r = resolve(r0 as Obj) ?? {};
        if (r.description === 'Default Response') s.responsesDefaultDescription++;
        if (code.startsWith('2')) {
          s.successResponses++;
          if (hasExample(r)) s.successWithExample++;
        } else if (/^[45]/.test(code)) {
          s.errorResponses++;
          if (r.content?.['application/problem+json']) s.errorResponsesAsProblemJson++;
        }
      }
    }
  }
  return s;
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) {
  const path = process.argv[2] ?? new URL('../openapi/openapi.json', import.meta.url);
  console.log(JSON.stringify(openApiStats(JSON.parse(readFileSync(path, 'utf8'))), null, 2));
}
