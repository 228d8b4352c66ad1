/**
 * The floors of the house (README "Architecture"); imports only go down:
 *   kernel          src/{config,clock,ids,calendar,json,deps}.ts, src/domain/, src/db/
 *   infrastructure  src/{http,auth,queue,outbox,notifications}/
 *   capabilities    every other folder of src/ (reference, jurisdiction, intake, cases, …)
 *   app and entries src/{app,server,worker,capabilities,tables}.ts, src/cli/
 * and a capability reads another capability's data through its exported functions, never its
 * tables (a tables.ts may reference another's table for a foreign key).
 */
const KERNEL = '^src/((config|clock|ids|calendar|json|deps)[.]ts$|domain/|db/)';
const INFRA = '^src/(http|auth|queue|outbox|notifications)/';
const APP = '^src/((app|server|worker|capabilities|tables)[.]ts$|cli/)';
const NOT_CAPABILITY =
  '^src/((config|clock|ids|calendar|json|deps|app|server|worker|capabilities|tables)[.]ts$|(domain|db|http|auth|queue|outbox|notifications|cli)/)';

module.exports = {
  forbidden: [
    {
      name: 'kernel-imports-up',
      comment: 'The kernel (config, clock, ids, deps, domain, db) imports nothing above it.',
      severity: 'error',
      from: { path: KERNEL },
      to: { path: '^src/', pathNot: KERNEL },
    },
    {
      name: 'infrastructure-imports-up',
      comment: 'Infrastructure (http, auth, queue, outbox, notifications) imports only the kernel and itself.',
      severity: 'error',
      from: { path: INFRA },
      to: { path: '^src/', pathNot: [KERNEL, INFRA] },
    },
    {
      name: 'capability-imports-app',
      comment: 'Capabilities never import the app or its entry points.',
      severity: 'error',
      from: { path: '^src/', pathNot: [KERNEL, INFRA, APP] },
      to: { path: APP },
    },
    {
      name: 'foreign-tables',
      comment: "A capability reads another capability's data only through its exported functions, never its tables.",
      severity: 'error',
      from: { path: '^src/([^/]+)/', pathNot: ['[/]tables[.]ts$', NOT_CAPABILITY] },
      to: { path: '^src/([^/]+)/tables[.]ts$', pathNot: ['^src/$1/', NOT_CAPABILITY] },
    },
    {
      name: 'no-circular',
      comment: 'No import cycles.',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
