// Sums the <Counters> of every TRX file below a folder and prints "N passed, N failed".
const fs = require('fs');
const path = require('path');

function trxFiles(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap(entry => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return trxFiles(full);
    return entry.name.endsWith('.trx') ? [full] : [];
  });
}

const dir = process.argv[2] || 'artifacts/test-results';
let passed = 0;
let failed = 0;
let skipped = 0;
for (const file of fs.existsSync(dir) ? trxFiles(dir) : []) {
  const counters = /<Counters\b([^>]*)\/>/.exec(fs.readFileSync(file, 'utf8'));
  if (!counters) continue;
  const value = name => Number((new RegExp(`\\b${name}="(\\d+)"`).exec(counters[1]) || [0, 0])[1]);
  passed += value('passed');
  failed += value('failed') + value('error') + value('timeout') + value('aborted');
  skipped += value('notExecuted');
}
console.log(`${passed} passed, ${failed} failed` + (skipped ? `, ${skipped} skipped` : ''));
