// Checks the functions.metadata of a `dotnet publish` of the Functions app: every [Function] in the source
// is listed with exactly one trigger, and every HTTP trigger has its route and methods.
const fs = require('fs');
const path = require('path');

const [metadataPath, sourceDir] = process.argv.slice(2);
const metadata = JSON.parse(fs.readFileSync(metadataPath, 'utf8'));

function csFiles(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap(e => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return ['bin', 'obj'].includes(e.name) ? [] : csFiles(full);
    return e.name.endsWith('.cs') ? [full] : [];
  });
}

const declared = csFiles(sourceDir).flatMap(f => [...fs.readFileSync(f, 'utf8').matchAll(/\[Function\("([^"]+)"\)\]/g)].map(m => m[1]));
const listed = new Map(metadata.map(f => [f.name, f]));
let problems = 0;
for (const name of declared) {
  const fn = listed.get(name);
  if (!fn) { console.error(`missing from functions.metadata: ${name}`); problems++; continue; }
  const triggers = fn.bindings.filter(b => /Trigger$/.test(b.type));
  if (triggers.length !== 1) { console.error(`${name}: expected one trigger, found ${triggers.length}`); problems++; continue; }
  const t = triggers[0];
  if (t.type === 'httpTrigger' && (!t.route || !Array.isArray(t.methods) || t.methods.length === 0)) {
    console.error(`${name}: HTTP trigger without route or methods`); problems++; continue;
  }
  // The host serves its own APIs under /admin and /runtime (checked on the route without the "api" prefix).
  const reserved = /^(admin|runtime)/i.exec(t.route);
  if (t.type === 'httpTrigger' && reserved) {
    console.error(`${name}: routes starting with "${reserved[1]}" are reserved by the Functions host`); problems++; continue;
  }
  console.log(`ok ${name}: ${t.type}${t.route ? ' ' + t.methods.join(',').toUpperCase() + ' /api/' + t.route : ''}${t.queueName ? ' queue ' + t.queueName : ''}${t.schedule ? ' schedule ' + t.schedule : ''}`);
}
for (const name of listed.keys()) {
  if (!declared.includes(name)) { console.error(`functions.metadata lists ${name}, which the source does not declare`); problems++; }
}
if (declared.length === 0) { console.error('no [Function] found in ' + sourceDir); problems++; }
process.exit(problems ? 1 : 0);
