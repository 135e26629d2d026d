// Evaluates formulas with two third-party reimplementations of Salesforce formulas (formulon, sformula)
// for test_formula_differential.py. stdin: {"formulas": [...], "picklists": {field: [values]}, "record": {...}}
// stdout: [{"formulon": value | {"error": msg}, "sformula": value | {"error": msg}}, ...]
const formulon = require('formulon');
const { parseSync } = require('sformula');
const job = JSON.parse(require('fs').readFileSync(0, 'utf8'));
const subs = {}, types = {};
for (const [f, values] of Object.entries(job.picklists)) {
  subs[f] = { type: 'literal', dataType: 'picklist', value: job.record[f], options: { values } };
  types[f] = { type: 'picklist', picklistOptions: values.map(v => ({ label: v, value: v })) };
}
const plain = v => (v instanceof Date ? v.toISOString() : v);
const out = job.formulas.map(text => {
  const row = {};
  try {
    const r = formulon.parse(text, subs);
    row.formulon = r.type === 'error' ? { error: r.message } : plain(r.value);
  } catch (e) { row.formulon = { error: String(e.message) }; }
  try {
    row.sformula = plain(parseSync(text, { inputTypes: types, returnType: 'any' }).evaluate(job.record));
  } catch (e) { row.sformula = { error: String(e.message).slice(0, 200) }; }
  return row;
});
console.log(JSON.stringify(out));
