import { writeFileSync } from 'node:fs';
import { openApiDocument } from '../tests/support/openapi-doc.js';

/** Writes openapi/openapi.json from the routes (committed; a test fails on drift). */
const doc = await openApiDocument();
writeFileSync(new URL('../openapi/openapi.json', import.meta.url), JSON.stringify(doc, null, 2) + '\n');
console.log('wrote openapi/openapi.json');
